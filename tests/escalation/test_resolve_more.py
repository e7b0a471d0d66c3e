"""Resolving and acknowledging, the details: a retry after an acknowledgement, the thread after
both answers, the audit of a direct answer, the names the API and Slack give, bug ids with
mark-up, and a token naming someone the directory does not know."""

import pytest

from audit.models import AuditLog
from escalation.actions import (
    EscalationRequest,
    escalation_acknowledge,
    escalation_create,
    escalation_resolve,
)
from oncall_project.base.actors import Actor
from oncall_project.base.outbox.models import Notification
from teams.models import Person
from tests.api_support import assert_error, client_for, make_user, session_client
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory

URL = "/api/v1/escalations/"


def request_for(bug_id: str = "BUG-9") -> EscalationRequest:
    return EscalationRequest(
        bug_id=bug_id, services=["Payment"], channel_id="C_BUGS", thread_ts="1700.000100"
    )


@pytest.fixture
def payments(db):
    """Payment's on-call is Alice; Bob is a member of Payments."""
    team = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_BOB")
    ServiceFactory(name="Payment", team=team)
    return team


@pytest.fixture
def escalation(payments):
    return escalation_create(actor=None, request=request_for()).escalation


def test_a_retry_after_an_acknowledgement_is_answered_with_the_acknowledged_escalation(
    escalation,
):
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    again = escalation_create(actor=None, request=request_for())
    assert not again.created and again.escalation.pk == escalation.pk
    assert Notification.objects.filter(kind="escalation").count() == 1


def test_after_an_acknowledgement_the_resolution_still_tells_the_thread(escalation):
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))
    replies = Notification.objects.filter(thread_ts="1700.000100", update_of="")
    assert sorted(r.kind for r in replies.exclude(kind="escalation")) == [
        "escalation_acknowledged",
        "escalation_resolved",
    ]
    (resolved,) = replies.filter(kind="escalation_resolved")
    assert resolved.text == ":heavy_check_mark: *BUG-9* resolved by <@U_BOB>."


def test_resolving_after_an_acknowledgement_edits_the_pages_not_the_acknowledgement_reply(
    escalation,
):
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))
    resolved_edits = Notification.objects.filter(
        kind="escalation_update", idempotency_key__endswith=":resolved"
    )
    assert [(e.update_of, e.escalation_id) for e in resolved_edits] == [
        (f"escalation:{escalation.pk}:level1", escalation.pk)
    ]


def test_an_answer_given_directly_records_no_one_acted_for(escalation):
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))
    entry = AuditLog.objects.get(action="resolved")
    assert "on_behalf_of" not in (entry.metadata or {})


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (escalation_acknowledge, "escalation_acknowledged"),
        (escalation_resolve, "escalation_resolved"),
    ],
)
def test_a_bug_id_with_mark_up_is_shown_not_acted_on_in_the_threads_reply(payments, answer, kind):
    bug = "BUG-1 <!channel> & co"
    escalation = escalation_create(actor=None, request=request_for(bug)).escalation
    answer(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    reply = Notification.objects.get(kind=kind)
    assert "*BUG-1 &lt;!channel&gt; &amp; co*" in reply.text
    assert "<!channel>" not in reply.text


def test_a_machine_token_naming_someone_unknown_is_refused_on_resolved_by(escalation):
    response = client_for("token").post(
        f"{URL}{escalation.pk}/resolve/", {"resolved_by": "U_NOBODY"}, format="json"
    )
    body = assert_error(response, 400, "resolved_by")
    assert "U_NOBODY is not in the people directory" in body["errors"]["resolved_by"][0]


def test_the_resolver_is_named_from_the_directory_in_the_answer(escalation):
    for slack_user_id, name in [("U_BOB", "Bob Builder"), ("U_ALICE", "Alice Archer")]:
        Person.objects.update_or_create(
            slack_user_id=slack_user_id, defaults={"display_name": name}
        )
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    client = session_client(make_user("U_BOB"))
    body = client.post(f"{URL}{escalation.pk}/resolve/", {}, format="json").json()
    listed = client.get(f"{URL}?status=resolved").json()["results"]
    assert [(b["resolved_by_name"], b["acknowledged_by_name"]) for b in [body, *listed]] == [
        ("Bob Builder", "Alice Archer"),
        ("Bob Builder", "Alice Archer"),
    ]


def test_a_resolved_by_longer_than_a_slack_id_is_refused_for_its_length(escalation):
    response = client_for("token").post(
        f"{URL}{escalation.pk}/resolve/", {"resolved_by": "U" + "X" * 32}, format="json"
    )
    body = assert_error(response, 400, "resolved_by")
    assert "no more than 32 characters" in body["errors"]["resolved_by"][0]
