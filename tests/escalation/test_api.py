"""/escalations/, /escalations/{id}/ and /escalations/{id}/ack/."""

import pytest

from audit.models import AuditLog
from escalation.actions import escalation_acknowledge, escalation_climb
from escalation.models import Escalation
from oncall_project.base.actors import Actor
from oncall_project.base.outbox import delivery
from oncall_project.base.outbox.models import Notification
from tests.api_support import ROLES, assert_error, client_for, make_user, session_client
from tests.factories import EscalationFactory, MembershipFactory, ServiceFactory, TeamFactory

URL = "/api/v1/escalations/"
BUG = {
    "bug_id": "BUG-1",
    "severity": "high",
    "services": ["Payment", "Bill"],
    "channel_id": "C_BUGS",
    "thread_ts": "1700000000.000100",
}


@pytest.fixture
def org(db):
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    MembershipFactory(team=payments, slack_user_id="U_PAYLEAD", team_role="lead")
    ServiceFactory(name="Payment", team=payments, service_owner="U_BOB")
    ServiceFactory(name="Bill", team=payments, service_owner="U_CAROL")
    return payments


@pytest.fixture
def bot(db):
    return client_for("token")


def ack_url(escalation_id) -> str:
    return f"{URL}{escalation_id}/ack/"


# --- POST /escalations/ --------------------------------------------------------------------


def test_the_bot_escalates_a_bug_and_tags_payments_oncall_in_the_thread(bot, org):
    response = bot.post(URL, BUG, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["bug_id"], body["level"], body["status"]) == ("BUG-1", 1, "open")
    assert body["mentions"] == ["<@U_ALICE>"]
    assert body["text"] == (
        ":rotating_light: *Escalation (Level 1) for BUG-1 (Severity: high) — "
        "Services: Payment, Bill — Requires human investigation.*\n<@U_ALICE> please investigate."
    )
    # No Slack token in tests: the outbox keeps the message as skipped.
    assert body["delivery"] == "skipped"
    note = Notification.objects.get()
    assert (note.channel, note.thread_ts, str(note.escalation_id)) == (
        "C_BUGS",
        "1700000000.000100",
        body["id"],
    )
    entry = AuditLog.objects.get(entity_type="escalation")
    assert (entry.action, entry.actor_id, entry.metadata["source"]) == (
        "created",
        body["created_by"],
        "api",
    )


def test_with_a_slack_token_the_delivery_is_pending_until_sent(bot, org, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    assert bot.post(URL, BUG, format="json").json()["delivery"] == "pending"


def test_the_same_bug_and_level_again_returns_the_existing_escalation(bot, org):
    first = bot.post(URL, BUG, format="json").json()
    again = bot.post(URL, BUG, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Escalation.objects.count() == 1 and Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("level", "mentions"),
    [
        (2, ["<@U_ALICE>", "<@U_PAYLEAD>"]),
        (3, ["<@U_ALICE>", "<@U_PAYLEAD>", "<!subteam^S_PAY>"]),
    ],
)
def test_higher_levels_add_the_leads_then_the_groups(bot, org, level, mentions):
    body = bot.post(URL, {**BUG, "escalation_level": level}, format="json").json()
    assert (body["level"], body["mentions"]) == (level, mentions)


def test_an_ack_timeout_sets_the_deadline(bot, org):
    body = bot.post(URL, {**BUG, "ack_timeout_minutes": 15}, format="json").json()
    assert body["ack_timeout_minutes"] == 15 and body["ack_deadline"]


def test_no_services_reads_unknown_and_tags_nobody(bot, org):
    body = bot.post(URL, {"bug_id": "BUG-2", "channel_id": "C_BUGS"}, format="json").json()
    assert body["mentions"] == [] and "Services: Unknown" in body["text"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BUG, "bug_id": ""}, "bug_id"),
        ({k: v for k, v in BUG.items() if k != "bug_id"}, "bug_id"),
        ({**BUG, "bug_id": "B" * 121}, "bug_id"),
        ({**BUG, "severity": "s" * 41}, "severity"),
        ({**BUG, "services": "Payment"}, "services"),
        ({**BUG, "services": [1, {"a": 2}]}, "services.1"),
        ({**BUG, "services": ["Payment"] * 101}, "services"),
        ({**BUG, "services": ["S" * 121]}, "services.0"),
        ({**BUG, "channel_id": "bugs"}, "channel_id"),
        ({k: v for k, v in BUG.items() if k != "channel_id"}, "channel_id"),
        ({**BUG, "thread_ts": 1700000000.0001}, "thread_ts"),
        ({**BUG, "thread_ts": "yesterday"}, "thread_ts"),
        ({**BUG, "thread_ts": "1700000000"}, "thread_ts"),
        ({**BUG, "thread_ts": "1700000000.123456789"}, "thread_ts"),
        ({**BUG, "escalation_level": 4}, "escalation_level"),
        ({**BUG, "escalation_level": 0}, "escalation_level"),
        ({**BUG, "escalation_level": True}, "escalation_level"),
        ({**BUG, "ack_timeout_minutes": 0}, "ack_timeout_minutes"),
        ({**BUG, "ack_timeout_minutes": 100_000}, "ack_timeout_minutes"),
        ({**BUG, "priority": "p1"}, "priority"),
    ],
)
def test_bad_escalations_are_refused_and_page_nobody(bot, org, body, field):
    assert_error(bot.post(URL, body, format="json"), 400, field)
    assert not Escalation.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditLog.objects.exclude(entity_type="api_token").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 201), ("member", 201), ("lead", 201), ("staff", 201)],
)
def test_any_signed_in_client_may_escalate(org, role, status):
    response = client_for(role, org).post(URL, BUG, format="json")
    assert response.status_code == status
    assert Escalation.objects.exists() == (status == 201)


# --- POST /escalations/{id}/ack/ -----------------------------------------------------------


def test_ack_stops_the_climb_and_a_second_ack_changes_nothing(org):
    escalation = (
        client_for("token").post(URL, {**BUG, "ack_timeout_minutes": 5}, format="json").json()
    )
    member = client_for("member", org)
    response = member.post(ack_url(escalation["id"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["acknowledged_by"]) == ("acknowledged", "U_MEMBER")
    assert body["acknowledged_at"]
    row = Escalation.objects.get()
    token = row.token

    again = client_for("staff").post(ack_url(escalation["id"]))
    assert again.status_code == 200 and again.json()["acknowledged_by"] == "U_MEMBER"
    row.refresh_from_db()
    assert row.token == token
    assert AuditLog.objects.filter(action="acknowledged").count() == 1


def test_ack_of_an_unknown_escalation_is_a_404(bot):
    assert_error(bot.post(ack_url("00000000-0000-4000-8000-000000000000")), 404)


ACK_BY_ROLE = {"anonymous": 401, "token": 400, "member": 403, "lead": 403, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_ack_of_an_escalation_that_named_none_of_their_teams_is_for_staff_only(db, role):
    # member and lead here belong to no team the escalation names; the token names nobody.
    escalation = EscalationFactory()
    response = client_for(role).post(ack_url(escalation.pk))
    assert response.status_code == ACK_BY_ROLE[role]
    escalation.refresh_from_db()
    assert escalation.status == ("acknowledged" if role == "staff" else "open")


# --- GET /escalations/ and /escalations/{id}/ ----------------------------------------------


def test_escalations_are_listed_newest_first_and_filter(bot, org):
    first = bot.post(URL, BUG, format="json").json()
    second = bot.post(URL, {**BUG, "bug_id": "BUG-2"}, format="json").json()
    bot.post(ack_url(first["id"]), {"acknowledged_by": "U_ALICE"}, format="json")

    def ids(query: str = "") -> list[str]:
        return [e["id"] for e in bot.get(URL + query).json()["results"]]

    assert ids() == [second["id"], first["id"]]
    assert ids("?status=acknowledged") == [first["id"]]
    assert ids("?bug_id=BUG-2") == [second["id"]]
    assert ids("?bug_id=BUG") == []  # the bug's whole id, not a part of it
    assert_error(bot.get(URL + "?status=asleep"), 400, "status")
    detail = bot.get(f"{URL}{second['id']}/").json()
    assert (detail["bug_id"], detail["delivery"]) == ("BUG-2", "skipped")
    assert_error(bot.get(f"{URL}00000000-0000-4000-8000-000000000000/"), 404)


def test_the_delivery_shown_is_the_latest_pages_not_the_acknowledgements(bot, org, fake_slack):
    created = bot.post(URL, {**BUG, "ack_timeout_minutes": 5}, format="json").json()

    def delivery_shown() -> str:
        return bot.get(f"{URL}{created['id']}/").json()["delivery"]

    def deliver_pages() -> None:
        for page in Notification.objects.filter(kind="escalation", status="pending"):
            delivery.deliver(page.pk)

    deliver_pages()
    escalation_climb(escalation_id=created["id"], token=Escalation.objects.get().token)
    assert delivery_shown() == "pending"  # the level-2 page, not level 1's, already sent
    deliver_pages()
    escalation_acknowledge(escalation_id=created["id"], actor=Actor.slack("U_ALICE"))
    assert Notification.objects.filter(status="pending").count() == 3  # two edits, one reply
    assert delivery_shown() == "sent"


@pytest.mark.parametrize("role", ROLES)
def test_escalation_reads_need_authentication_only(db, role):
    escalation = EscalationFactory()
    client = client_for(role)
    expected = 401 if role == "anonymous" else 200
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}{escalation.pk}/").status_code == expected


@pytest.mark.parametrize("size", [2, 30])
def test_escalation_list_takes_the_same_queries_whatever_the_size(
    db, size, django_assert_num_queries
):
    for escalation in EscalationFactory.create_batch(size):
        Notification.objects.create(
            kind="escalation",
            channel="C_BUGS",
            text="x",
            idempotency_key=f"esc-{escalation.pk}",
            escalation=escalation,
        )
    client = session_client(make_user())
    # session, user, count, page with the latest delivery of each
    with django_assert_num_queries(4):
        body = client.get(URL).json()
    assert body["count"] == size
    assert {e["delivery"] for e in body["results"]} == {"pending"}
