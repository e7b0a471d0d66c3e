"""The per-process on-call states behind the bot's lookups: a second lookup the same day reads
no state, and every write that can move the on-call is seen by the very next lookup."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from schedules import actions, domain, oncall_now, selectors
from schedules.actions import OverrideFields, ScheduleFields
from schedules.models import Override, Schedule
from teams import actions as team_actions
from teams.actions import MembershipFields, RotationSettings, TeamFields
from teams.models import Team
from tests.factories import MembershipFactory, OverrideFactory, ScheduleFactory, TeamFactory

D = datetime.date


def fresh(team: Team) -> Team:
    return Team.objects.get(pk=team.pk)


def uncached(team: Team, at: datetime.datetime) -> domain.OnCallAnswer:
    day = selectors.local_today(team, at)
    return domain.who_is_on_call(selectors.team_state(team, day), at)


def looked_up(team: Team, at: datetime.datetime) -> domain.OnCallAnswer:
    return oncall_now.on_call_now([fresh(team)], at)[team.pk]


@pytest.fixture
def team(db):
    today = timezone.localdate()
    team = TeamFactory(
        slug="payments",
        oncall_engineer="U_DEFAULT",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        rotation_start_date=today - datetime.timedelta(days=today.weekday()),
        handoff_day=0,
    )
    for n, uid in enumerate(["U_ALICE", "U_BOB", "U_CAROL"]):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=D(2026, 1, 1 + n))
    return team


def test_a_second_lookup_the_same_day_reads_no_state(team, django_assert_num_queries):
    # Midday, far from the 09:00 handoff: at 08:59:56 the second lookup is another day's
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with django_assert_num_queries(2):  # members, and the one UNION of every dated span
        first = oncall_now.on_call_now([team], at)
    with django_assert_num_queries(0):
        again = oncall_now.on_call_now([team], at + datetime.timedelta(seconds=5))
    assert again == first


def test_a_lookup_on_another_on_call_day_loads_again(team, django_assert_num_queries):
    at = timezone.now()
    oncall_now.on_call_now([team], at)
    with django_assert_num_queries(2):
        later = oncall_now.on_call_now([team], at + datetime.timedelta(days=3))
    assert later[team.pk] == uncached(team, at + datetime.timedelta(days=3))


def test_a_state_read_inside_a_transaction_of_our_own_is_not_kept(team, django_assert_num_queries):
    at = timezone.now()
    with transaction.atomic():
        day = selectors.local_today(team, at)
        ScheduleFactory(team=team, engineer_slack_id="U_ZED", start_date=day, end_date=day)
        inside = oncall_now.on_call_now([team], at)[team.pk]
        transaction.set_rollback(True)
    assert inside.engineer == "U_ZED"
    with django_assert_num_queries(2):  # loaded again: what the rolled-back write showed is gone
        after = oncall_now.on_call_now([team], at)[team.pk]
    assert after.engineer != "U_ZED" and after == uncached(team, at)


def _today(team: Team) -> datetime.date:
    return selectors.local_today(team, timezone.now())


def _zed_schedule(team):
    day = _today(team)
    ScheduleFactory(team=team, engineer_slack_id="U_ZED", start_date=day, end_date=day)


def _zed_override(status):
    def setup(team):
        day = _today(team)
        OverrideFactory(
            team=team, engineer_slack_id="U_ZED", start_date=day, end_date=day, status=status
        )

    return setup


def schedule_today(team):
    day = _today(team)
    actions.schedule_create(
        team=team,
        actor=None,
        fields=ScheduleFields(engineer_slack_id="U_ZED", start_date=day, end_date=day),
    )


def schedule_moved(team):
    schedule = Schedule.objects.get(team=team, engineer_slack_id="U_ZED")
    actions.schedule_update(
        schedule=schedule, actor=None, changes=ScheduleFields(engineer_slack_id="U_YAN")
    )


def schedule_deleted(team):
    schedule = Schedule.objects.get(team=team, engineer_slack_id="U_ZED")
    actions.schedule_delete(schedule=schedule, actor=None)


def override_auto_approved(team):
    day = _today(team)
    actions.override_request(
        team=team,
        actor=None,
        fields=OverrideFields(engineer_slack_id="U_ZED", start_date=day, end_date=day),
    )


def override_approved(team):
    pending = Override.objects.get(team=team, status="pending")
    actions.override_decide(override=pending, actor=None, status="approved")


def override_cancelled(team):
    approved = Override.objects.get(team=team, status="approved")
    actions.override_cancel(override=approved, actor=None)


def member_removed(team):
    now_on_call = uncached(team, timezone.now()).engineer
    team_actions.membership_remove(team=team, slack_user_id=now_on_call, actor=None)


def _slack_group(team):
    Team.objects.filter(pk=team.pk).update(slack_group_id="S_PAY")  # its leavers leave turns


def member_left_the_slack_group(team):
    now_on_call = uncached(team, timezone.now()).engineer
    others = ["U_ALICE", "U_BOB", "U_CAROL"]
    others.remove(now_on_call)
    team_actions.team_sync_members(team=team, slack_members=others, actor=None)


def member_not_eligible(team):
    now_on_call = uncached(team, timezone.now()).engineer
    team_actions.membership_upsert(
        team=team,
        slack_user_id=now_on_call,
        actor=None,
        fields=MembershipFields(is_eligible_for_oncall=False),
    )


def rotation_switched_off(team):
    actions.rotation_config_update(
        team=team, actor=None, settings=RotationSettings(rotation_enabled=False)
    )


def _rotation_off(team):
    Team.objects.filter(pk=team.pk).update(rotation_enabled=False)


def default_engineer_changed(team):
    team_actions.team_update(
        team=team, actor=None, changes=TeamFields(oncall_engineer="U_NEWDEFAULT")
    )


def away_from_every_team(team):
    now_on_call = uncached(team, timezone.now()).engineer
    day = _today(team)
    team_actions.unavailability_create(
        actor=None, slack_user_id=now_on_call, start_date=day, end_date=day
    )


def handed_off(team):
    actions.handoff_process(team_id=team.pk)


def _nothing(team):
    return None


@pytest.mark.parametrize(
    ("setup", "change", "moves"),
    [
        (_nothing, schedule_today, True),
        (_zed_schedule, schedule_moved, True),
        (_zed_schedule, schedule_deleted, True),
        (_nothing, override_auto_approved, True),
        (_zed_override("pending"), override_approved, True),
        (_zed_override("approved"), override_cancelled, True),
        (_nothing, member_removed, True),
        (_nothing, member_not_eligible, True),
        (_slack_group, member_left_the_slack_group, True),
        (_nothing, rotation_switched_off, True),
        (_rotation_off, default_engineer_changed, True),
        (_nothing, away_from_every_team, True),
        (_nothing, handed_off, False),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_every_write_that_can_move_the_oncall_is_seen_by_the_next_lookup(
    team, setup, change, moves
):
    setup(team)  # written around the actions, before anything is kept
    at = timezone.now()
    before = looked_up(team, at)  # now kept for this version of the team
    version = fresh(team).oncall_version

    change(fresh(team))

    assert fresh(team).oncall_version > version
    after = looked_up(team, at)
    assert after == uncached(fresh(team), at)
    assert (after.engineer != before.engineer) is moves
