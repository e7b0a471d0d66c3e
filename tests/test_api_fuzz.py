"""Schemathesis generates requests from our own OpenAPI schema and sends them to the app:
whatever it sends, the API must never answer with a server error."""

import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings

from oncall_project.api.tokens import api_token_create
from oncall_project.wsgi import application
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory

EXAMPLES_PER_OPERATION = 8


def fuzz(operation, headers: dict, sent: list) -> list[str]:
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(app=application, headers=headers)
        sent.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

    run()
    return failures


def test_no_generated_request_makes_the_api_fail(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    ServiceFactory(name="Payment", team=team)
    _user, token = api_token_create(name="fuzzer", staff=True)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty schema
    # As Django's test client does: keep the test's connection open between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        headers = {"Authorization": f"Token {token}"}
        sent: list[int] = []
        failures = [f for op in operations for f in fuzz(op, headers, sent)]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert failures == []
    assert len(sent) >= len(operations)  # every operation was really called
