"""Every change to the primary's days re-plans the backup line's future in the same action: a
manual primary schedule (added, changed, deleted), a primary override (approved, cancelled)
and time away. The backup is limited to two eligible members, the day's primary rotation
person R and one other X, so the backup of a day is forced: X while R is primary, R once X
is made primary."""

import datetime

import pytest
from django.utils import timezone

from schedules import domain
from schedules.lines import line_state
from schedules.models import Role, Schedule
from schedules.selectors import team_state
from teams.actions import MembershipFields, membership_upsert
from teams.actions.away import unavailability_create, unavailability_delete
from teams.models import Team
from tests.api_support import client_for
from tests.factories import MembershipFactory, TeamFactory
from tests.schedules.test_api_backup import MEMBERS, monday_two_weeks_ago, turn_on_backup, url

DAY = datetime.timedelta(days=1)


def primary_on(team: Team, day: datetime.date) -> str | None:
    return domain.resolve_day(team_state(team, day), day).engineer


def backup_on(team: Team, day: datetime.date) -> str | None:
    return domain.resolve_day(line_state(team, Role.BACKUP, day), day).engineer


@pytest.fixture
def staff(db):
    return client_for("staff")


@pytest.fixture
def day():
    return timezone.now().date() + 4 * DAY


@pytest.fixture
def team(db, staff, day):
    """Primary weekly round robin of four; the backup daily, eligible only R and X, both
    handing off at 09:00."""
    team = TeamFactory(
        name="Payments",
        slug="payments",
        rotation_enabled=True,
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=monday_two_weeks_ago(),
        lookahead_periods=4,
        handoff_time=datetime.time(9),
        overrides_require_approval=True,
    )
    for n, uid in enumerate(MEMBERS):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=datetime.date(2026, 1, 1 + n))
    rotation_person = primary_on(team, day)
    other = next(m for m in MEMBERS if m != rotation_person)
    team.memberships.exclude(slack_user_id__in=[rotation_person, other]).update(
        is_eligible_for_backup=False
    )
    # Same handoff time as the primary: a backup date then overlaps one primary date only.
    # Fourteen daily periods planned ahead: the day is on a saved backup schedule.
    turn_on_backup(staff, team, handoff_time=team.handoff_time.isoformat(), lookahead_periods=14)
    team.r, team.x = rotation_person, other
    assert backup_on(team, day) == other
    assert Schedule.objects.filter(
        team=team, role="backup", origin="auto", start_date__lte=day, end_date__gte=day
    ).exists()
    return team


def add_schedule(staff, team, who, day, role="primary"):
    body = {"engineer_slack_id": who, "start_date": str(day), "end_date": str(day), "role": role}
    return staff.post(url(team, "oncall-schedules", role=None), body, format="json")


def schedule_path(team, pk) -> str:
    return f"/api/v1/teams/{team.slug}/oncall-schedules/{pk}/"


def test_a_manual_primary_schedule_moves_the_backup_off_that_person(staff, team, day):
    created = add_schedule(staff, team, team.x, day)
    assert created.status_code == 201, created.content
    assert (primary_on(team, day), backup_on(team, day)) == (team.x, team.r)
    assert staff.delete(schedule_path(team, created.json()["id"])).status_code == 204
    assert (primary_on(team, day), backup_on(team, day)) == (team.r, team.x)


def test_changing_a_manual_primary_schedule_replans_the_backup(staff, team, day):
    someone_else = next(m for m in MEMBERS if m not in (team.r, team.x))
    created = add_schedule(staff, team, someone_else, day).json()
    response = staff.patch(
        schedule_path(team, created["id"]), {"engineer_slack_id": team.x}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (primary_on(team, day), backup_on(team, day)) == (team.x, team.r)


def test_a_primary_override_replans_the_backup_when_it_takes_effect(staff, team, day):
    body = {"engineer_slack_id": team.x, "start_date": str(day), "end_date": str(day)}
    requested = staff.post(url(team, "oncall-overrides", role=None), body, format="json")
    assert requested.status_code == 201 and requested.json()["status"] == "pending"
    assert backup_on(team, day) == team.x, "a pending override changes nobody"
    path = f"/api/v1/teams/{team.slug}/oncall-overrides/{requested.json()['id']}/"
    assert staff.patch(path, {"status": "approved"}, format="json").status_code == 200
    assert (primary_on(team, day), backup_on(team, day)) == (team.x, team.r)
    assert staff.patch(path, {"status": "cancelled"}, format="json").status_code == 200
    assert (primary_on(team, day), backup_on(team, day)) == (team.r, team.x)


def test_an_auto_approved_primary_override_replans_the_backup(staff, team, day):
    Team.objects.filter(pk=team.pk).update(overrides_require_approval=False)
    body = {"engineer_slack_id": team.x, "start_date": str(day), "end_date": str(day)}
    response = staff.post(url(team, "oncall-overrides", role=None), body, format="json")
    assert response.json()["status"] == "approved"
    assert (primary_on(team, day), backup_on(team, day)) == (team.x, team.r)


def test_time_away_from_every_team_replans_a_backup_without_a_primary_rotation(team, day):
    """A team whose primary is only manual still runs its backup around time away."""
    Team.objects.filter(pk=team.pk).update(rotation_enabled=False)
    team.memberships.update(is_eligible_for_backup=True)
    team = Team.objects.get(pk=team.pk)
    backup = backup_on(team, day)
    away = unavailability_create(
        actor=None, slack_user_id=backup, start_date=day, end_date=day, team=None
    )
    assert backup_on(team, day) not in (None, backup)
    unavailability_delete(unavailability=away, actor=None)
    assert backup_on(team, day) is not None


def test_the_primarys_time_away_moves_the_backup_too(team, day):
    """R away: the primary re-plans to someone, and the backup keeps clear of them (and R)."""
    team.memberships.update(is_eligible_for_backup=True)
    unavailability_create(actor=None, slack_user_id=team.r, start_date=day, end_date=day, team=team)
    primary = primary_on(team, day)
    assert primary != team.r
    assert backup_on(team, day) not in (None, primary, team.r)


def test_a_member_no_longer_eligible_for_backup_leaves_the_backup_line(team, day):
    membership_upsert(
        team=team,
        slack_user_id=team.x,
        actor=None,
        fields=MembershipFields(is_eligible_for_backup=False),
    )
    assert backup_on(team, day) != team.x


def saved_backup_on(team: Team, day: datetime.date) -> list[str]:
    return list(
        Schedule.objects.filter(
            team=team, role="backup", start_date__lte=day, end_date__gte=day
        ).values_list("engineer_slack_id", flat=True)
    )


def test_changing_a_manual_primary_schedule_saves_the_replanned_backup(staff, team, day):
    """Not only the answer: the backup's saved schedules are planned again, so the day's
    saved backup never names the person the change made the day's primary."""
    someone_else = next(m for m in MEMBERS if m not in (team.r, team.x))
    created = add_schedule(staff, team, someone_else, day).json()
    [backup] = saved_backup_on(team, day)
    response = staff.patch(
        schedule_path(team, created["id"]), {"engineer_slack_id": backup}, format="json"
    )
    assert response.status_code == 200, response.content
    assert saved_backup_on(team, day) == [team.x if backup == team.r else team.r]
