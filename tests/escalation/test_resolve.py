"""Resolving an escalation (escalation_resolve, POST /escalations/{id}/resolve/, the Slack
button): the bug is handled. Open or acknowledged becomes resolved, by whoever may acknowledge
it; the climb stops, every page loses its buttons, the thread hears who, and a second
resolution changes nothing."""

import pytest
from django.db import connection

from audit.models import AuditLog
from escalation.actions import (
    EscalationRequest,
    escalation_acknowledge,
    escalation_climb,
    escalation_create,
    escalation_resolve,
)
from escalation.models import Escalation
from oncall_project.base.actors import Actor
from oncall_project.base.outbox.models import Notification
from tests.api_support import ROLES, assert_error, client_for, make_user, session_client
from tests.escalation.test_slack_views import SECRET, interaction, signed_post
from tests.factories import EscalationFactory, MembershipFactory, ServiceFactory, TeamFactory
from tests.locks import second_write_while_first_holds

URL = "/api/v1/escalations/"


@pytest.fixture
def escalation(db):
    """Payment's on-call is Alice (paged); Bob is a member of Payments; Dave is in Auth only.
    Unacknowledged for ten minutes, it climbs."""
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=payments, slack_user_id="U_BOB")
    MembershipFactory(team=TeamFactory(name="Auth"), slack_user_id="U_DAVE")
    ServiceFactory(name="Payment", team=payments)
    request = EscalationRequest(
        bug_id="BUG-9",
        services=["Payment"],
        channel_id="C_BUGS",
        thread_ts="1700.000100",
        ack_timeout_minutes=10,
    )
    return escalation_create(actor=None, request=request).escalation


def resolve(client, escalation, **body):
    return client.post(f"{URL}{escalation.pk}/resolve/", body, format="json")


def state(escalation) -> tuple[str, str, str]:
    row = Escalation.objects.get(pk=escalation.pk)
    return row.status, row.acknowledged_by, row.resolved_by


def test_resolving_an_open_escalation_stops_the_climb_and_is_audited(escalation):
    resolved = escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))

    assert state(escalation) == ("resolved", "", "U_BOB") and resolved.resolved_at
    assert escalation_climb(escalation_id=escalation.pk, token=escalation.token) is None
    assert escalation_climb(escalation_id=escalation.pk, token=resolved.token) is None
    assert Escalation.objects.get(pk=escalation.pk).level == 1
    entry = AuditLog.objects.get(action="resolved")
    assert (entry.entity_type, entry.entity_id, entry.actor_id) == (
        "escalation",
        str(escalation.pk),
        "U_BOB",
    )
    assert entry.changes == {
        "status": {"old": "open", "new": "resolved"},
        "resolved_by": {"old": "", "new": "U_BOB"},
    }


def test_an_acknowledged_escalation_is_resolved_and_keeps_who_acknowledged_it(escalation):
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))

    assert state(escalation) == ("resolved", "U_ALICE", "U_BOB")
    assert AuditLog.objects.get(action="resolved").changes["status"] == {
        "old": "acknowledged",
        "new": "resolved",
    }


def test_resolving_edits_every_page_and_tells_the_thread_once(escalation):
    escalation_climb(escalation_id=escalation.pk, token=escalation.token)
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))  # too late

    edits = Notification.objects.filter(kind="escalation_update").order_by("update_of")
    assert [(e.update_of, e.idempotency_key) for e in edits] == [
        (f"escalation:{escalation.pk}:level{n}", f"escalation:{escalation.pk}:level{n}:resolved")
        for n in (1, 2)
    ]
    assert {(e.channel, e.text) for e in edits} == {
        ("C_BUGS", ":heavy_check_mark: Resolved by <@U_BOB>")
    }
    assert all(len(e.blocks) == 1 for e in edits)  # the line alone: no button left to press
    (reply,) = Notification.objects.filter(kind="escalation_resolved")
    assert (reply.channel, reply.thread_ts, reply.text) == (
        "C_BUGS",
        "1700.000100",
        ":heavy_check_mark: *BUG-9* resolved by <@U_BOB>.",
    )
    assert state(escalation) == ("resolved", "", "U_BOB")
    assert AuditLog.objects.filter(action="resolved").count() == 1


def test_a_resolved_escalation_acknowledged_late_stays_resolved(escalation):
    escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB"))
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    assert state(escalation) == ("resolved", "", "U_BOB")
    assert not Notification.objects.filter(kind="escalation_acknowledged").exists()


def test_after_an_acknowledgement_each_page_offers_resolve_alone(escalation):
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    (edit,) = Notification.objects.filter(kind="escalation_update")
    (buttons,) = [block for block in edit.blocks if block["type"] == "actions"]
    assert [(b["action_id"], b["value"]) for b in buttons["elements"]] == [
        ("escalation_resolve", str(escalation.pk))
    ]


def test_someone_neither_paged_nor_in_its_teams_may_not_resolve_it(escalation):
    body = assert_error(resolve(session_client(make_user("U_DAVE")), escalation), 403)
    assert "may resolve it" in body["detail"]
    assert state(escalation) == ("open", "", "")
    assert not AuditLog.objects.filter(action="resolved").exists()
    assert not Notification.objects.filter(kind="escalation_resolved").exists()


@pytest.mark.parametrize("who", ["U_ALICE", "U_BOB"])
def test_someone_paged_or_in_a_team_it_names_resolves_it_through_the_api(escalation, who):
    response = resolve(session_client(make_user(who)), escalation)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["resolved_by"]) == ("resolved", who)
    assert body["resolved_at"] and "resolved_by_name" in body


def test_a_machine_token_must_name_the_person_it_resolves_for(escalation):
    body = assert_error(resolve(client_for("token"), escalation), 400, "resolved_by")
    assert "resolves on behalf of a person" in body["errors"]["resolved_by"][0]
    assert state(escalation) == ("open", "", "")


def test_a_machine_token_resolves_for_someone_allowed_and_the_audit_says_both(escalation):
    response = resolve(client_for("token"), escalation, resolved_by="U_ALICE")
    assert response.status_code == 200, response.content
    entry = AuditLog.objects.get(action="resolved")
    assert entry.actor_id.startswith("bot-") and entry.metadata["on_behalf_of"] == "U_ALICE"
    assert state(escalation) == ("resolved", "", "U_ALICE")


def test_a_machine_token_may_not_resolve_for_someone_not_allowed(escalation):
    body = assert_error(resolve(client_for("token"), escalation, resolved_by="U_DAVE"), 403)
    assert "may not resolve it" in body["detail"]
    assert state(escalation) == ("open", "", "")


def test_a_person_may_resolve_only_as_themselves(escalation):
    client = session_client(make_user("U_DAVE"))
    body = assert_error(resolve(client, escalation, resolved_by="U_ALICE"), 403)
    assert body["detail"] == "You may resolve only as yourself."
    assert state(escalation) == ("open", "", "")


def test_resolving_an_unknown_escalation_is_a_404(db):
    assert_error(resolve(client_for("staff"), EscalationFactory.build()), 404)


RESOLVE_BY_ROLE = {"anonymous": 401, "token": 400, "member": 403, "lead": 403, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_resolving_an_escalation_that_named_none_of_their_teams_is_for_staff_only(db, role):
    escalation = EscalationFactory()
    assert resolve(client_for(role), escalation).status_code == RESOLVE_BY_ROLE[role]
    assert Escalation.objects.get(pk=escalation.pk).status == (
        "resolved" if role == "staff" else "open"
    )


def test_resolved_escalations_are_listed_by_their_status(escalation):
    other = EscalationFactory(bug_id="BUG-10")
    client = client_for("staff")
    resolve(client, escalation)
    ids = [e["id"] for e in client.get(f"{URL}?status=resolved").json()["results"]]
    assert ids == [str(escalation.pk)] and str(other.pk) not in ids


def test_the_resolve_button_in_slack_closes_the_escalation(client, escalation, settings):
    settings.SLACK_SIGNING_SECRET = SECRET
    pressed = interaction("escalation_resolve", str(escalation.pk), "U_ALICE")
    response = signed_post(client, "/slack/interactions/", pressed)
    assert response.json()["text"] == "Resolved by <@U_ALICE>."
    assert state(escalation) == ("resolved", "", "U_ALICE")
    outsider = interaction("escalation_resolve", str(escalation.pk), "U_DAVE")
    refused = signed_post(client, "/slack/interactions/", outsider).json()["text"]
    assert refused.startswith(":no_entry:") and "may resolve it" in refused


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_resolutions_at_once_leave_the_first_standing_and_audited_once(escalation):
    waited, [second] = second_write_while_first_holds(
        lambda: escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_BOB")),
        lambda: escalation_resolve(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE")),
    )
    assert waited and second.resolved_by == "U_BOB"
    assert state(escalation) == ("resolved", "", "U_BOB")
    assert AuditLog.objects.filter(action="resolved").count() == 1
    assert Notification.objects.filter(kind="escalation_resolved").count() == 1


def test_the_bug_escalated_again_after_its_resolution_is_paged_anew(escalation):
    """Within the five minutes a retry is answered with the escalation it repeats; once that
    one is resolved, the bug is back and pages again."""
    request = EscalationRequest(bug_id="BUG-9", services=["Payment"], channel_id="C_BUGS")
    assert not escalation_create(actor=None, request=request).created
    escalation_resolve(escalation_id=escalation.pk, actor=None)
    again = escalation_create(actor=None, request=request)
    assert again.created and again.escalation.pk != escalation.pk
    assert Notification.objects.filter(kind="escalation").count() == 2


@pytest.mark.parametrize(
    ("answer", "said", "after"),
    [
        (escalation_resolve, "Resolved by ops-admin.", ("resolved", "", "ops-admin")),
        (escalation_acknowledge, "Acknowledged by ops-admin.", ("acknowledged", "ops-admin", "")),
    ],
    ids=["after-a-resolution", "after-an-acknowledgement"],
)
def test_acknowledge_pressed_late_says_who_answered_first(
    client, escalation, settings, answer, said, after
):
    """A staff operator answered first (a username, not a Slack mention); a late press of
    Acknowledge in Slack says so and changes nothing."""
    settings.SLACK_SIGNING_SECRET = SECRET
    answer(escalation_id=escalation.pk, actor=Actor(id="ops-admin", is_staff=True))
    pressed = interaction("escalation_ack", str(escalation.pk), "U_ALICE")
    response = signed_post(client, "/slack/interactions/", pressed)
    assert response.json()["text"] == said
    assert state(escalation) == after
