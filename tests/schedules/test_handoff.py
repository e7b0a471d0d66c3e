import datetime
import threading

import pytest
from django.db import connection, connections

from audit.models import AuditLog
from oncall_project.base.outbox.models import Notification
from schedules.actions import handoff_process, rotation_generate
from schedules.actions.handoff import due_team_ids
from schedules.models import OnCallRecord, Schedule
from teams.models import Team
from tests.celery_worker import eager_tasks
from tests.factories import OverrideFactory, ScheduleFactory, TeamFactory
from tests.schedules.conftest import NOW, UTC

D = datetime.date


def dave_on_call_yesterday(team) -> None:
    """Someone else held the day before the team's first handoff (30 November)."""
    ScheduleFactory(
        team=team, engineer_slack_id="U_DAVE", start_date=D(2026, 11, 30), end_date=D(2026, 11, 30)
    )


def test_first_handoff_records_today_and_messages_the_people(rotating_team):
    dave_on_call_yesterday(rotating_team)
    outcome = handoff_process(team_id=rotating_team.pk, now=NOW)
    assert (outcome.engineer, outcome.previous, outcome.recorded) == (
        "U_ALICE",
        "U_DAVE",
        [D(2026, 12, 1)],
    )
    record = OnCallRecord.objects.get()
    assert (record.on_call_date, record.engineer_slack_id, record.source) == (
        D(2026, 12, 1),
        "U_ALICE",
        "rotation",
    )
    audit = AuditLog.objects.get()
    assert (
        audit.action,
        audit.previous_engineer_slack_id,
        audit.engineer_slack_id,
        audit.actor_type,
    ) == ("rotation_triggered", "U_DAVE", "U_ALICE", "system")
    kinds = dict(Notification.objects.values_list("kind", "channel"))
    assert kinds == {
        "handoff": "C_PAY",
        "handoff_incoming": "U_ALICE",
        "handoff_outgoing": "U_DAVE",
    }
    channel_text = Notification.objects.get(kind="handoff").text
    assert "<@U_DAVE> → <@U_ALICE>" in channel_text and "Next: <@U_BOB>" in channel_text
    assert "nobody" not in channel_text
    rotating_team.refresh_from_db()
    assert rotating_team.next_handoff_at == datetime.datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert rotating_team.current_engineer == "U_ALICE"
    assert rotating_team.current_rotation_index == 0


def test_a_first_handoff_continuing_yesterdays_engineer_announces_nothing(rotating_team):
    # The rotation gave Alice yesterday too (her week began on Monday 30 November): no handoff
    # took place, so nobody is told "nobody → Alice".
    outcome = handoff_process(team_id=rotating_team.pk, now=NOW)
    assert (outcome.previous, outcome.engineer) == ("U_ALICE", "U_ALICE")
    assert not Notification.objects.exists() and not AuditLog.objects.exists()
    assert OnCallRecord.objects.get().engineer_slack_id == "U_ALICE"
    rotating_team.refresh_from_db()
    assert (rotating_team.current_engineer, rotating_team.current_rotation_index) == ("U_ALICE", 0)


def test_a_first_handoff_after_a_gap_comes_from_nobody(db):
    team = TeamFactory(slack_channel_id="C_OPS")
    ScheduleFactory(
        team=team, engineer_slack_id="U_ERIN", start_date=D(2026, 12, 1), end_date=D(2026, 12, 1)
    )
    outcome = handoff_process(team_id=team.pk, now=NOW)
    assert (outcome.previous, outcome.engineer) == (None, "U_ERIN")
    assert "nobody → <@U_ERIN>" in Notification.objects.get(kind="handoff").text


def test_a_repeated_handoff_does_nothing(rotating_team):
    dave_on_call_yesterday(rotating_team)
    handoff_process(team_id=rotating_team.pk, now=NOW)
    assert handoff_process(team_id=rotating_team.pk, now=NOW) is None
    assert handoff_process(team_id=rotating_team.pk, now=NOW + datetime.timedelta(hours=20)) is None
    assert OnCallRecord.objects.count() == 1 and AuditLog.objects.count() == 1


def test_the_next_days_handoff_records_without_a_change(rotating_team):
    dave_on_call_yesterday(rotating_team)
    handoff_process(team_id=rotating_team.pk, now=NOW)
    tomorrow = datetime.datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    outcome = handoff_process(team_id=rotating_team.pk, now=tomorrow)
    assert outcome.recorded == [D(2026, 12, 2)] and outcome.engineer == "U_ALICE"
    assert AuditLog.objects.count() == 1  # same engineer: no rotation event, no messages
    assert Notification.objects.count() == 3


def test_the_rotation_hands_over_at_the_period_boundary(rotating_team):
    handoff_process(team_id=rotating_team.pk, now=NOW)
    Team.objects.filter(pk=rotating_team.pk).update(last_handoff_date=D(2026, 12, 6))
    monday = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    outcome = handoff_process(team_id=rotating_team.pk, now=monday)
    assert (outcome.previous, outcome.engineer) == ("U_ALICE", "U_BOB")
    assert Notification.objects.filter(kind="handoff_outgoing", channel="U_ALICE").exists()
    assert Notification.objects.filter(kind="handoff_incoming", channel="U_BOB").exists()
    rotating_team.refresh_from_db()
    assert rotating_team.current_rotation_index == 1
    # the rotation keeps lookahead_periods of auto schedules ahead
    assert Schedule.objects.filter(team=rotating_team, origin="auto").count() >= 4


def test_catch_up_after_downtime_fills_each_missed_day(rotating_team):
    handoff_process(team_id=rotating_team.pk, now=NOW)
    later = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    outcome = handoff_process(team_id=rotating_team.pk, now=later)
    assert outcome.recorded == [D(2026, 12, 2), D(2026, 12, 3), D(2026, 12, 4)]
    assert OnCallRecord.objects.count() == 4


def test_an_override_shows_in_the_ledger_with_its_source(rotating_team):
    OverrideFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        status="approved",
        start_date=D(2026, 12, 1),
        end_date=D(2026, 12, 1),
    )
    handoff_process(team_id=rotating_team.pk, now=NOW)
    assert OnCallRecord.objects.get().source == "override"


def test_the_top_up_does_not_double_book_a_manual_schedule_beyond_a_year(rotating_team):
    # 40 biweekly periods reach well past the year around today the on-call answer needs
    Team.objects.filter(pk=rotating_team.pk).update(
        rotation_interval="biweekly", lookahead_periods=40
    )
    ScheduleFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        start_date=D(2028, 3, 1),
        end_date=D(2028, 3, 10),
    )
    handoff_process(team_id=rotating_team.pk, now=NOW)
    autos = Schedule.objects.filter(team=rotating_team, origin="auto")
    assert autos.filter(start_date__gt=D(2028, 3, 10)).exists()  # the top-up reached past it
    assert not autos.filter(start_date__lte=D(2028, 3, 10), end_date__gte=D(2028, 3, 1)).exists()


def test_a_team_with_nobody_records_a_gap(db):
    team = TeamFactory()
    handoff_process(team_id=team.pk, now=NOW)
    record = OnCallRecord.objects.get()
    assert (record.engineer_slack_id, record.source) == ("", "none")


def test_due_teams_are_found_in_one_query(db, django_assert_num_queries):
    due = TeamFactory(next_handoff_at=NOW - datetime.timedelta(minutes=1))
    never = TeamFactory(next_handoff_at=None)
    TeamFactory(next_handoff_at=NOW + datetime.timedelta(minutes=1))
    TeamFactory(next_handoff_at=None, is_active=False)
    with django_assert_num_queries(1):
        found = due_team_ids(NOW)
    assert set(found) == {due.pk, never.pk}


def test_a_handoff_day_without_change_takes_few_queries(
    rotating_team, django_assert_max_num_queries
):
    rotation_generate(team=rotating_team, actor=None, periods=4, now=NOW)
    handoff_process(team_id=rotating_team.pk, now=NOW)
    tomorrow = datetime.datetime(2026, 12, 2, 9, 1, tzinfo=UTC)
    # lock the team, members, all spans (one UNION), ledger insert, team update; the test's
    # transaction adds a SAVEPOINT and its RELEASE
    with django_assert_max_num_queries(5 + 2):
        handoff_process(team_id=rotating_team.pk, now=tomorrow)


def test_a_handoff_with_a_change_of_engineer_takes_few_queries(
    rotating_team, django_assert_max_num_queries
):
    rotation_generate(team=rotating_team, actor=None, periods=4, now=NOW)
    dave_on_call_yesterday(rotating_team)
    # ... plus the audit row and the outbox rows
    with django_assert_max_num_queries(7 + 2):
        handoff_process(team_id=rotating_team.pk, now=NOW)
    assert AuditLog.objects.filter(action="rotation_triggered").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_handoff_tasks_at_once_record_once():
    team = TeamFactory(slack_channel_id="C_OPS", oncall_engineer="U_ALICE")
    dave_on_call_yesterday(team)  # a handoff with a change: audit and messages to count
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(handoff_process(team_id=team.pk, now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    assert OnCallRecord.objects.count() == 1
    assert AuditLog.objects.filter(action="rotation_triggered").count() == 1
    assert Notification.objects.filter(kind="handoff").count() == 1


def test_a_new_team_default_is_announced_as_a_handoff_from_the_last_one(db):
    team = TeamFactory(slack_channel_id="C_OPS", oncall_engineer="U_ALICE")
    handoff_process(team_id=team.pk, now=NOW)
    Team.objects.filter(pk=team.pk).update(oncall_engineer="U_BOB")
    tomorrow = datetime.datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    outcome = handoff_process(team_id=team.pk, now=tomorrow)
    # who held yesterday is who the last handoff gave, not today's default read backwards
    assert (outcome.previous, outcome.engineer) == ("U_ALICE", "U_BOB")
    assert "<@U_ALICE> → <@U_BOB>" in Notification.objects.get(kind="handoff").text
    assert Notification.objects.get(kind="handoff_outgoing").channel == "U_ALICE"


def test_a_catch_up_audits_the_change_on_the_day_it_took_effect(rotating_team):
    handoff_process(team_id=rotating_team.pk, now=NOW)
    later = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # down since Wednesday
    handoff_process(team_id=rotating_team.pk, now=later)
    audit = AuditLog.objects.get(engineer_slack_id="U_BOB")
    assert audit.effective_date == D(2026, 12, 7)  # Bob's week began on Monday
    assert audit.metadata["role"] == "primary"


def test_a_handoff_to_nobody_is_announced_and_audited(db):
    team = TeamFactory(slack_channel_id="C_OPS")
    ScheduleFactory(
        team=team, engineer_slack_id="U_ERIN", start_date=D(2026, 12, 1), end_date=D(2026, 12, 1)
    )
    handoff_process(team_id=team.pk, now=NOW)
    Notification.objects.all().delete()
    tomorrow = datetime.datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    outcome = handoff_process(team_id=team.pk, now=tomorrow)
    assert (outcome.previous, outcome.engineer) == ("U_ERIN", None)
    assert AuditLog.objects.filter(
        previous_engineer_slack_id="U_ERIN", engineer_slack_id=""
    ).exists()
    assert "<@U_ERIN> → nobody" in Notification.objects.get(kind="handoff").text
    team.refresh_from_db()
    assert team.current_engineer == ""


def test_a_team_deactivated_after_its_handoff_was_queued_is_not_handed_off(rotating_team):
    Team.objects.filter(pk=rotating_team.pk).update(is_active=False)
    assert handoff_process(team_id=rotating_team.pk, now=NOW) is None
    assert not OnCallRecord.objects.exists() and not Notification.objects.exists()


def test_a_catch_up_after_a_long_outage_fills_only_the_last_month(rotating_team):
    Team.objects.filter(pk=rotating_team.pk).update(last_handoff_date=D(2026, 9, 1))
    outcome = handoff_process(team_id=rotating_team.pk, now=NOW)
    assert (outcome.recorded[0], outcome.recorded[-1]) == (D(2026, 10, 31), D(2026, 12, 1))
    assert len(outcome.recorded) == 32


def test_the_oncall_group_is_set_at_the_first_handoff_and_then_only_on_a_change(
    db, fake_slack, django_capture_on_commit_callbacks
):
    team = TeamFactory(oncall_engineer="U_ALICE", oncall_usergroup_id="S_PAY_ONCALL")
    tomorrow = datetime.datetime(2026, 12, 2, 9, 0, 30, tzinfo=UTC)
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        handoff_process(team_id=team.pk, now=NOW)
        handoff_process(team_id=team.pk, now=tomorrow)
    (update,) = fake_slack.calls_to("usergroups.users.update")
    assert update.body == {"usergroup": "S_PAY_ONCALL", "users": "U_ALICE"}
