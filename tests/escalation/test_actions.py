import datetime
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditLog
from escalation.actions import (
    CLIMB_TASK,
    EscalationRequest,
    escalation_acknowledge,
    escalation_climb,
    escalation_create,
)
from escalation.models import Escalation
from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput, NotFound
from oncall_project.base.outbox import delivery
from oncall_project.base.outbox.models import Notification
from oncall_project.celery import app
from schedules.selectors import local_today
from teams.models import TeamRole
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)
from tests.locks import second_write_beside_first, someone_waits_on_a_lock


@pytest.fixture
def org(db):
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    MembershipFactory(team=payments, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    auth = TeamFactory(name="Auth & Identity", oncall_engineer="U_DAVE", slack_group_id="S_AUTH")
    ServiceFactory(name="Payment", team=payments, service_owner="U_BOB")
    ServiceFactory(name="Bill", team=payments, service_owner="U_CAROL")
    ServiceFactory(name="Auth", team=auth, service_owner="U_EVE")
    ServiceFactory(name="Orphan", team=None, service_owner="U_FRANK", team_slack_group="S_ORPH")
    return payments


def create(now=None, **fields):
    values = {
        "bug_id": "BUG-1",
        "severity": "high",
        "services": ["Payment", "Bill"],
        "channel_id": "C_BUGS",
        "thread_ts": "1700.000100",
        **fields,
    }
    return escalation_create(actor=None, request=EscalationRequest(**values), now=now)


def test_level_one_tags_each_services_oncall_once_in_the_plans_format(org):
    outcome = create()
    esc = outcome.escalation
    assert outcome.created and esc.mentions == ["<@U_ALICE>"]
    assert esc.text == (
        ":rotating_light: *Escalation (Level 1) for BUG-1 (Severity: high) — "
        "Services: Payment, Bill — Requires human investigation.*\n<@U_ALICE> please investigate."
    )
    note = Notification.objects.get()
    assert (note.channel, note.thread_ts, note.kind) == ("C_BUGS", "1700.000100", "escalation")
    assert esc.created_by == "system"
    entry = AuditLog.objects.get()
    assert (entry.action, entry.metadata["bug_id"]) == ("created", "BUG-1")
    assert entry.changes == {
        "level": {"old": None, "new": 1},
        "mentions": {"old": None, "new": ["<@U_ALICE>"]},
    }


def test_the_bots_words_are_printed_in_the_thread_and_only_its_mentions_tag(org):
    esc = create(bug_id="<!here> BUG-1", severity="<@U_EVE>", services=["Payment", "<!channel>"])
    assert esc.escalation.text == (
        ":rotating_light: *Escalation (Level 1) for &lt;!here&gt; BUG-1 (Severity: "
        "&lt;@U_EVE&gt;) — Services: Payment, &lt;!channel&gt; — Requires human "
        "investigation.*\n<@U_ALICE> please investigate."
    )


def test_each_service_falls_back_and_order_is_kept(org):
    esc = create(services=["auth", "Orphan", "payment", "nope"]).escalation
    assert esc.mentions == ["<@U_DAVE>", "<@U_FRANK>", "<@U_ALICE>"]


def test_levels_two_and_three_add_leads_then_groups(org):
    assert create(escalation_level=2).escalation.mentions == ["<@U_ALICE>", "<@U_LEAD>"]
    assert create(bug_id="BUG-2", escalation_level=3).escalation.mentions == [
        "<@U_ALICE>",
        "<@U_LEAD>",
        "<!subteam^S_PAY>",
    ]


def test_service_names_are_trimmed_and_blank_ones_dropped(org):
    esc = create(services=["  Payment ", "", "   "]).escalation
    assert esc.services == ["Payment"] and esc.mentions == ["<@U_ALICE>"]
    assert AuditLog.objects.get().metadata["services"] == ["Payment"]


def test_no_services_reads_unknown(org):
    esc = create(services=[]).escalation
    assert "Services: Unknown" in esc.text and esc.mentions == []


def test_a_retry_within_minutes_returns_the_same_escalation(org):
    first = create().escalation
    again = create()
    assert not again.created and again.escalation.pk == first.pk
    assert Escalation.objects.count() == 1 and Notification.objects.count() == 1


def test_a_higher_level_or_a_later_request_for_the_bug_pages_anew(org):
    first = create().escalation
    higher = create(escalation_level=2)
    assert higher.created and higher.escalation.level == 2
    later = create(now=timezone.now() + datetime.timedelta(minutes=6))
    assert later.created and later.escalation.pk not in (first.pk, higher.escalation.pk)
    assert Escalation.objects.count() == 3 and Notification.objects.count() == 3


def test_the_retry_window_is_five_minutes_from_the_first_request_inclusive(org):
    first = create().escalation
    window_end = first.created_at + datetime.timedelta(minutes=5)
    assert create(now=window_end).escalation.pk == first.pk
    later = create(now=window_end + datetime.timedelta(microseconds=1))
    assert later.created and later.escalation.pk != first.pk


def test_a_retry_after_the_escalation_climbed_pages_nobody_again(org):
    first = create(ack_timeout_minutes=1).escalation
    escalation_climb(escalation_id=first.pk, token=first.token)
    again = create(ack_timeout_minutes=1)  # the bot's retry of the same level-1 request
    assert not again.created and again.escalation.pk == first.pk
    assert Escalation.objects.count() == 1
    assert Notification.objects.count() == 2  # level 1, then the climb's level 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"bug_id": ""}, "bug_id"),
        ({"bug_id": "   "}, "bug_id"),
        ({"services": "Payment"}, "services"),
        ({"services": ["Payment", 3]}, "services"),
        ({"channel_id": ""}, "channel_id"),
        ({"channel_id": "U_NOT_A_CHANNEL"}, "channel_id"),
        ({"escalation_level": 0}, "escalation_level"),
        ({"escalation_level": 4}, "escalation_level"),
        ({"escalation_level": "1"}, "escalation_level"),
        ({"ack_timeout_minutes": 0}, "ack_timeout_minutes"),
        ({"ack_timeout_minutes": settings.ESCALATION_MAX_ACK_MINUTES + 1}, "ack_timeout_minutes"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(org, fields, field):
    with pytest.raises(InvalidInput) as excinfo:
        create(**fields)
    assert field in excinfo.value.errors
    assert not Escalation.objects.exists() and not Notification.objects.exists()


def test_the_longest_ack_timeout_allowed_is_taken(org):
    limit = settings.ESCALATION_MAX_ACK_MINUTES
    esc = create(ack_timeout_minutes=limit).escalation
    assert esc.ack_deadline - esc.created_at > datetime.timedelta(minutes=limit - 1)


def test_unacknowledged_escalation_climbs_one_level_at_a_time(org):
    esc = create(ack_timeout_minutes=10).escalation
    assert esc.ack_deadline is not None
    climbed = escalation_climb(escalation_id=esc.pk, token=esc.token)
    assert climbed.level == 2 and "<@U_LEAD>" in climbed.mentions
    entry = AuditLog.objects.get(action="escalated")
    assert (entry.actor_type, entry.changes) == (
        "system",
        {
            "level": {"old": 1, "new": 2},
            # who the level below had tagged, then whom this level tags
            "mentions": {"old": ["<@U_ALICE>"], "new": ["<@U_ALICE>", "<@U_LEAD>"]},
        },
    )
    assert escalation_climb(escalation_id=esc.pk, token=esc.token) is None  # stale token
    top = escalation_climb(escalation_id=esc.pk, token=climbed.token)
    assert top.level == 3
    assert escalation_climb(escalation_id=esc.pk, token=top.token) is None  # never past 3
    keys = sorted(Notification.objects.values_list("idempotency_key", flat=True))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["level1", "level2", "level3"]


def test_the_climb_is_queued_once_the_escalation_commits_and_only_below_the_top_level(
    org, django_capture_on_commit_callbacks
):
    app.control.purge()
    with django_capture_on_commit_callbacks() as on_commit:
        create(ack_timeout_minutes=10)
        create(bug_id="BUG-2", escalation_level=3, ack_timeout_minutes=10)
        create(bug_id="BUG-3")  # no ack timeout: nobody is waited for, nothing climbs
        assert app.control.purge() == 0  # nothing reaches the broker before the commit
    assert len(on_commit) == 1  # level 3 has no level to climb to
    on_commit[0]()
    assert app.control.purge() == 1


def test_each_level_waits_the_full_ack_timeout_from_its_own_page(org):
    opened = timezone.now() - datetime.timedelta(minutes=30)
    esc = create(now=opened, ack_timeout_minutes=10).escalation
    assert esc.ack_deadline == opened + datetime.timedelta(minutes=10)
    climbed_at = opened + datetime.timedelta(minutes=10, seconds=5)
    level2 = escalation_climb(escalation_id=esc.pk, token=esc.token, now=climbed_at)
    # level 2 gets its own ten minutes, not the deadline level 1 already used up
    assert level2.ack_deadline == climbed_at + datetime.timedelta(minutes=10)
    assert Escalation.objects.get(pk=esc.pk).ack_deadline == level2.ack_deadline


def test_the_climb_task_is_due_at_the_deadline_and_carries_the_current_token(
    org, django_capture_on_commit_callbacks
):
    app.control.purge()
    with django_capture_on_commit_callbacks(execute=True):
        esc = create(ack_timeout_minutes=10).escalation
    with app.connection_for_read() as conn:
        queued = conn.SimpleQueue("celery").get(timeout=5)
        queued.ack()
    assert queued.headers["task"] == CLIMB_TASK
    assert datetime.datetime.fromisoformat(queued.headers["eta"]) == esc.ack_deadline
    assert queued.decode()[0] == [str(esc.pk), esc.token]
    app.control.purge()


def test_acknowledging_fences_off_the_climb(org):
    esc = create(ack_timeout_minutes=10).escalation
    acked = escalation_acknowledge(escalation_id=esc.pk, actor=None)
    assert acked.status == "acknowledged"
    assert escalation_climb(escalation_id=esc.pk, token=esc.token) is None
    assert escalation_climb(escalation_id=esc.pk, token=acked.token) is None  # whatever token
    assert Escalation.objects.get(pk=esc.pk).level == 1
    assert escalation_acknowledge(escalation_id=esc.pk, actor=None).status == "acknowledged"
    assert AuditLog.objects.get(action="acknowledged").changes == {
        "status": {"old": "open", "new": "acknowledged"},
        "acknowledged_by": {"old": "", "new": "system"},
    }


def test_acknowledging_edits_every_page_and_tells_the_thread_once(org):
    esc = create(ack_timeout_minutes=10).escalation
    climbed = escalation_climb(escalation_id=esc.pk, token=esc.token)
    escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_LEAD"))
    escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_ALICE"))  # too late
    edits = Notification.objects.filter(kind="escalation_update").order_by("update_of")
    assert [e.update_of for e in edits] == [
        f"escalation:{esc.pk}:level1",
        f"escalation:{esc.pk}:level2",
    ]
    assert {(e.channel, e.text) for e in edits} == {
        ("C_BUGS", ":white_check_mark: Acknowledged by <@U_LEAD>")
    }
    (reply,) = Notification.objects.filter(kind="escalation_acknowledged")
    assert (reply.channel, reply.thread_ts) == ("C_BUGS", "1700.000100")
    assert reply.text.startswith(":white_check_mark: *BUG-1* acknowledged by <@U_LEAD>")
    assert climbed.level == 2 and Notification.objects.count() == 5


def test_two_escalations_of_one_bug_each_tell_the_thread_of_their_acknowledgement(org):
    first = create().escalation
    later = create(now=timezone.now() + datetime.timedelta(minutes=6)).escalation
    escalation_acknowledge(escalation_id=first.pk, actor=None)
    escalation_acknowledge(escalation_id=later.pk, actor=None)
    replies = Notification.objects.filter(kind="escalation_acknowledged")
    assert sorted(r.escalation_id for r in replies) == sorted([first.pk, later.pk])


def test_acknowledged_through_the_api_by_a_user_without_slack_names_them(org):
    esc = create().escalation
    escalation_acknowledge(escalation_id=esc.pk, actor=Actor(id="ops-admin", is_staff=True))
    reply = Notification.objects.get(kind="escalation_acknowledged")
    assert "acknowledged by ops-admin;" in reply.text


@pytest.fixture
def lead_on_call(db):
    """The on-call is also the team's lead: level 2 adds nobody."""
    team = TeamFactory(name="Payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_ALICE", team_role=TeamRole.LEAD)
    ServiceFactory(name="Payment", team=team)
    return team


def test_a_climb_that_adds_nobody_new_says_so_instead_of_repeating_the_mentions(lead_on_call):
    esc = create(services=["Payment"], ack_timeout_minutes=10).escalation
    level2 = escalation_climb(escalation_id=esc.pk, token=esc.token)
    assert level2.text == (
        ":rotating_light: *Escalation (Level 2) for BUG-1 (Severity: high) — Services: Payment — "
        "Requires human investigation.*\nNo one new to tag; still waiting for an acknowledgement."
    )
    assert level2.mentions == ["<@U_ALICE>"]
    texts = list(Notification.objects.order_by("created_at").values_list("text", flat=True))
    assert [t.count("<@U_ALICE> please investigate.") for t in texts] == [1, 0]
    # the climb goes on: level 3 adds the Slack group, so it tags again
    level3 = escalation_climb(escalation_id=esc.pk, token=level2.token)
    assert level3.text.endswith("\n<@U_ALICE> <!subteam^S_PAY> please investigate.")


def test_acknowledging_an_unknown_escalation_is_not_found(db):
    with pytest.raises(NotFound):
        escalation_acknowledge(escalation_id="not-a-uuid", actor=None)


def test_the_page_reaches_slack_in_the_bugs_thread(org, fake_slack):
    esc = create().escalation
    delivery.deliver(Notification.objects.get(escalation=esc).pk)
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert call.body["thread_ts"] == "1700.000100" and "<@U_ALICE>" in call.body["text"]
    buttons = call.body["blocks"][1]["elements"]
    # what the Acknowledge and Resolve buttons send back names this escalation
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        ("escalation_ack", str(esc.pk), "Acknowledge"),
        ("escalation_resolve", str(esc.pk), "Resolve"),
    ]
    assert [b.get("style") for b in buttons] == ["primary", None]


def test_the_mention_follows_an_override(org):
    today = timezone.now().date()
    OverrideFactory(
        team=org,
        engineer_slack_id="U_ZOE",
        status="approved",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=1),
    )
    assert create().escalation.mentions == ["<@U_ZOE>"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_climb_due_while_someone_acknowledges_waits_and_then_pages_nobody(org):
    esc = create(ack_timeout_minutes=10).escalation
    climbed = []

    def climb_task():
        try:
            climbed.append(escalation_climb(escalation_id=esc.pk, token=esc.token))
        finally:
            connection.close()

    with transaction.atomic():
        escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_ALICE"))
        task = threading.Thread(target=climb_task)
        task.start()
        waited = someone_waits_on_a_lock()  # the climb, on the acknowledgement's row lock
    task.join(timeout=30)
    assert waited
    app.control.purge()  # the level-1 climb task queued on commit; the test ran it by hand
    assert climbed == [None]
    esc.refresh_from_db()
    assert (esc.status, esc.level) == ("acknowledged", 1)
    assert Notification.objects.filter(kind="escalation").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_bug_at_once_page_once(org):
    """The bot's retry arrives while its first request is still being written: the retry waits
    for it and returns the same escalation instead of paging everyone a second time."""
    retried = []

    def retry():
        try:
            retried.append(create())
        finally:
            connection.close()

    with transaction.atomic():
        first = create().escalation
        bot = threading.Thread(target=retry)
        bot.start()
        waited = someone_waits_on_a_lock()  # the retry, on the first request's lock on the bug
    bot.join(timeout=30)
    assert waited
    (outcome,) = retried
    assert not outcome.created and outcome.escalation.pk == first.pk
    assert Escalation.objects.count() == 1
    assert Notification.objects.filter(kind="escalation").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_acknowledgements_at_once_leave_the_first_standing_and_audited_once(org):
    esc = create().escalation
    second = []

    def press_acknowledge():
        try:
            second.append(escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_LEAD")))
        finally:
            connection.close()

    with transaction.atomic():
        escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_ALICE"))
        other = threading.Thread(target=press_acknowledge)
        other.start()
        waited = someone_waits_on_a_lock()  # the second press, on the first's row lock
    other.join(timeout=30)
    assert waited
    assert second[0].acknowledged_by == "U_ALICE"
    esc.refresh_from_db()
    assert (esc.status, esc.acknowledged_by) == ("acknowledged", "U_ALICE")
    assert AuditLog.objects.filter(action="acknowledged").count() == 1
    reply = Notification.objects.get(kind="escalation_acknowledged")
    assert reply.text.startswith(":white_check_mark: *BUG-1* acknowledged by <@U_ALICE>")


def test_level_three_adds_every_services_slack_group_once_in_the_order_named(org):
    esc = create(services=["Auth", "Payment", "Orphan", "Bill"], escalation_level=3).escalation
    assert esc.mentions == [
        "<@U_DAVE>",
        "<@U_ALICE>",
        "<@U_FRANK>",
        "<@U_LEAD>",
        "<!subteam^S_AUTH>",
        "<!subteam^S_PAY>",
        "<!subteam^S_ORPH>",
    ]


def test_the_mentions_are_whoever_is_on_call_at_the_escalations_instant(org):
    later = timezone.now() + datetime.timedelta(days=30)
    day = local_today(org, later)
    ScheduleFactory(team=org, engineer_slack_id="U_ZOE", start_date=day, end_date=day)
    assert create(now=later).escalation.mentions == ["<@U_ZOE>"]


def test_a_refused_escalation_says_what_was_wrong(org):
    with pytest.raises(InvalidInput, match=r"^A level from 1 to 3\.$"):
        create(escalation_level=4)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_requests_for_two_different_bugs_at_once_do_not_wait_for_each_other(org):
    """The lock that serialises the bot's retries is the bug's own: another bug pages at once."""
    finished, [other] = second_write_beside_first(
        lambda: create(bug_id="BUG-1"), lambda: create(bug_id="BUG-2")
    )
    assert finished
    assert other.created and other.escalation.bug_id == "BUG-2"


def test_a_resolved_escalation_is_neither_acknowledged_nor_climbed(org):
    """Resolved is final: a late press of Acknowledge or a climb still queued leaves it so."""
    esc = create(ack_timeout_minutes=10).escalation
    Escalation.objects.filter(pk=esc.pk).update(status="resolved")
    assert escalation_climb(escalation_id=esc.pk, token=esc.token) is None
    escalation_acknowledge(escalation_id=esc.pk, actor=Actor.slack("U_ALICE"))
    esc.refresh_from_db()
    assert (esc.status, esc.level, esc.acknowledged_by) == ("resolved", 1, "")
    assert not AuditLog.objects.exclude(action="created").exists()
    assert Notification.objects.filter(kind="escalation").count() == 1
