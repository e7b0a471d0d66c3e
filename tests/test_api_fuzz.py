"""Schemathesis generates requests from our own OpenAPI schema and sends them to the app:
whatever it sends, the API must never answer with a server error, and every answer must be
what the schema documents — its status code, content type, headers and body.

Each operation is fuzzed with generated path parameters (mostly unknown ids: the 404s), then
with ones naming real rows, and the by-name lookups with names that exist, so the bodies of
successful answers are checked too — with and without a team (or with a deleted one), a
rotation, a Slack group."""

import datetime
from collections.abc import Callable

import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oncall_project.tokens import api_token_create
from oncall_project.wsgi import application
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)

EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SERVICE_NAMES = ["Payment", "Search", "Ledger", "Mailer", "Orphan", "Fax"]


def seed() -> dict[str, str]:
    """Rows for the fuzzer to find: the path parameters that name them."""
    today = datetime.date.today()
    payments = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=payments, slack_user_id="U_ALICE", weight=2.5)
    search = TeamFactory(
        name="Search",
        slug="search",
        timezone="Europe/Berlin",
        slack_group_id="S_SEARCH",
        rotation_enabled=True,
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=today - datetime.timedelta(days=today.weekday() + 14),
    )
    for uid in ("U_BOB", "U_CAROL"):
        MembershipFactory(team=search, slack_user_id=uid)
    ScheduleFactory(
        team=search, engineer_slack_id="U_DAVE", start_date=today, end_date=today, origin="manual"
    )
    OverrideFactory(
        team=search,
        status="approved",
        start_date=today + datetime.timedelta(days=2),
        end_date=today + datetime.timedelta(days=3),
    )
    service = ServiceFactory(
        name="Payment", team=payments, repository_url="https://github.com/acme/payment"
    )
    ServiceFactory(name="Search", team=search, service_owner="U_OWNER")
    ServiceFactory(name="Ledger", team=None, primary_oncall="U_PRIMARY")
    ServiceFactory(name="Mailer", team=None, team_slack_group="S_MAIL")
    ServiceFactory(name="Orphan", team=None)
    gone = TeamFactory(name="Old Fax", slug="old-fax", is_active=False, oncall_engineer="U_GONE")
    ServiceFactory(name="Fax", team=gone, service_owner="U_FAX")
    return {
        "team": "search",
        "id": str(service.pk),
        "slack_user_id": "U_BOB",
        "slack_id": "U_BOB",
    }


def variants(operation, rows: dict[str, str]) -> list[dict]:
    """Generated path parameters, then real ones; real names for the by-name lookups."""
    found = [{}]
    names = {p.name for p in operation.path_parameters}
    if names:
        found.append({"path_parameters": {k: v for k, v in rows.items() if k in names}})
    if "{team}" in operation.path:
        found.append({"path_parameters": {"team": "payments"}})
    lookups: dict[str, Callable[[str], dict]] = {
        "/api/v1/oncall/": lambda name: {"service": name},
        "/api/v1/services/lookup/": lambda name: {"name": name},
    }
    if operation.path in lookups:
        found += [{"query": lookups[operation.path](name)} for name in SERVICE_NAMES]
    if operation.path == "/api/v1/oncall/":
        found += [{"query": {"team": ref}} for ref in ("payments", "Search")]
    if operation.path == "/api/v1/oncall/mentions/":
        found.append({"query": {"services": ",".join([*SERVICE_NAMES, "Nope"])}})
    return found


def fuzz(operation, headers: dict, sent: list, failures: list, **fixed) -> None:
    @given(case=operation.as_strategy(**fixed))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(app=application, headers=headers)
        sent.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as exc:
            found = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
            where = f"{case.method} {case.formatted_path} {case.query or ''}"
            failures.extend(
                f"{where} -> {response.status_code}: {f.title}\n{f.message}" for f in found
            )

    run()


def test_every_generated_request_gets_a_documented_answer(db, settings, capsys):
    # Hundreds of requests in seconds from one token: not what the throttle is about.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute"},
    }
    cache.clear()
    rows = seed()
    _user, token = api_token_create(name="fuzzer", staff=True)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty schema
    # As Django's test client does: keep the test's connection open between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    sent: list[int] = []
    failures: list[str] = []
    try:
        headers = {"Authorization": f"Token {token}"}
        for operation in operations:
            for fixed in variants(operation, rows):
                fuzz(operation, headers, sent, failures, **fixed)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    summary = (
        f"schemathesis: {len(sent)} generated cases over {len(operations)} operations, "
        f"{sum(200 <= code < 300 for code in sent)} answered 2xx"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    assert failures == [], f"{summary}; {len(failures)} failed:\n" + "\n\n".join(failures[:20])
    assert len(sent) >= 2 * len(operations), summary  # every operation was really called
    assert sum(200 <= code < 300 for code in sent) > len(operations), summary
