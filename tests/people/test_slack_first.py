"""Slack is asked before a write's transaction (teams.slack_first): a slow Slack holds no lock
on the team, the answer asked first is the one the write uses, and a write that fails leaves
nobody new in the directory."""

import datetime

import pytest
from django.db import transaction

from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput
from schedules.actions import (
    ScheduleFields,
    rotation_config_update,
    schedule_create,
    schedule_update,
)
from schedules.models import Schedule
from teams.actions import (
    MembershipFields,
    RotationSettings,
    TeamFields,
    membership_upsert,
    team_update,
    unavailability_create,
)
from teams.models import Person, Team, TeamMembership, Unavailability
from tests.factories import MembershipFactory, ScheduleFactory, TeamFactory
from tests.slow_slack import team_edited_while_slack_hangs

STAFF = Actor(id="ops", source="test", is_staff=True)

pytestmark = pytest.mark.empty_directory


def _add_member(team: Team) -> None:
    membership_upsert(team=team, slack_user_id="U_NEW", actor=STAFF)


def _make_default_on_call(team: Team) -> None:
    team_update(team=team, actor=STAFF, changes=TeamFields(oncall_engineer="U_NEW"))


def _record_time_away(team: Team) -> None:
    dates = {"start_date": datetime.date(2026, 12, 7), "end_date": datetime.date(2026, 12, 8)}
    unavailability_create(actor=STAFF, slack_user_id="U_NEW", team=team, **dates)


def _schedule(team: Team) -> None:
    dates = {"start_date": datetime.date(2026, 12, 7), "end_date": datetime.date(2026, 12, 13)}
    schedule_create(team=team, actor=STAFF, fields=ScheduleFields(engineer_slack_id=NEW, **dates))


def _hand_a_schedule_over(team: Team) -> None:
    schedule = ScheduleFactory(team=team, engineer_slack_id="U_OLD")
    schedule_update(schedule=schedule, actor=STAFF, changes=ScheduleFields(engineer_slack_id=NEW))


NEW = "U_NEW"

# Each write of a team that may name someone only Slack knows, and the rows naming them after.
NAMING_WRITES = {
    "new member": (_add_member, lambda: TeamMembership.objects.filter(slack_user_id=NEW)),
    "default on-call": (_make_default_on_call, lambda: Team.objects.filter(oncall_engineer=NEW)),
    "time away": (_record_time_away, lambda: Unavailability.objects.filter(slack_user_id=NEW)),
    "schedule": (_schedule, lambda: Schedule.objects.filter(engineer_slack_id=NEW)),
    "schedule handed over": (
        _hand_a_schedule_over,
        lambda: Schedule.objects.filter(engineer_slack_id=NEW),
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", NAMING_WRITES)
def test_while_slack_is_slow_to_confirm_someone_new_the_team_stays_writable(fake_slack, write):
    team = TeamFactory(name="Payments")
    fake_slack.add_user("U_NEW", "Newton", tz="Europe/Paris")
    naming, written = NAMING_WRITES[write]
    done = team_edited_while_slack_hangs(fake_slack, "users.info", team, lambda: naming(team))
    assert done and written().exists()
    assert Person.objects.get(slack_user_id="U_NEW").display_name == "Newton"


@pytest.mark.django_db(transaction=True)
def test_slack_is_asked_once_and_its_refusal_is_the_writes_400(fake_slack):
    team = TeamFactory(name="Payments")
    fake_slack.only_listed_users = True
    with pytest.raises(InvalidInput) as refused:
        membership_upsert(team=team, slack_user_id="U_NOBODY", actor=STAFF)
    assert "Slack knows no user U_NOBODY" in str(refused.value.errors["slack_user_id"])
    assert len(fake_slack.calls_to("users.info")) == 1
    assert not TeamMembership.objects.filter(slack_user_id="U_NOBODY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_refused_after_slack_answered_adds_nobody_to_the_directory(fake_slack):
    team = TeamFactory(name="Payments")
    fake_slack.add_user("U_NEW", "Newton")
    with pytest.raises(InvalidInput):
        fields = MembershipFields(weight=-1)  # refused by the write, after Slack vouched
        membership_upsert(team=team, slack_user_id="U_NEW", actor=STAFF, fields=fields)
    assert len(fake_slack.calls_to("users.info")) == 1
    assert not Person.objects.filter(slack_user_id="U_NEW").exists()


@pytest.mark.django_db(transaction=True)
def test_slack_down_before_the_write_is_the_writes_400(fake_slack):
    team = TeamFactory(name="Payments")
    fake_slack.begin_outage()
    with pytest.raises(InvalidInput) as refused:
        membership_upsert(team=team, slack_user_id="U_NEW", actor=STAFF)
    assert "did not answer" in str(refused.value.errors["slack_user_id"])


@pytest.mark.django_db(transaction=True)
def test_an_answer_asked_for_one_write_is_not_used_by_the_next(fake_slack):
    team = TeamFactory(name="Payments")
    fake_slack.only_listed_users = True
    with pytest.raises(InvalidInput):
        membership_upsert(team=team, slack_user_id="U_NEW", actor=STAFF)
    fake_slack.add_user("U_NEW", "Newton")
    with transaction.atomic():  # asks inside: no answer from before may stand in
        membership_upsert(team=team, slack_user_id="U_NEW", actor=STAFF)
    assert TeamMembership.objects.filter(team=team, slack_user_id="U_NEW").exists()


@pytest.mark.django_db(transaction=True)
def test_while_slack_is_slow_to_confirm_someone_in_a_rotation_order_the_team_stays_writable(
    fake_slack,
):
    team = TeamFactory(name="Payments")
    MembershipFactory(team=team, slack_user_id="U_NEW")
    Person.objects.filter(slack_user_id="U_NEW").delete()  # not in the directory: Slack vouches
    fake_slack.add_user("U_NEW", "Newton")

    def change_order() -> object:
        order = RotationSettings(rotation_type="custom_order", rotation_order=["U_NEW"])
        return rotation_config_update(team=team, actor=STAFF, settings=order)

    changed = team_edited_while_slack_hangs(fake_slack, "users.info", team, change_order)
    assert changed and Team.objects.get(pk=team.pk).rotation_order == ["U_NEW"]
