"""Nobody holds both lines at one instant: a manual schedule or an override on one line naming
whom the other line gives then is refused with 409 on `engineer_slack_id`, and nothing is
written. A primary span is checked against the backup's manual schedules and overrides only
(its auto schedules re-plan, see test_backup_follows_primary)."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import Override, Schedule
from teams.models import Person, Team
from tests.api_support import assert_error, client_for
from tests.factories import MembershipFactory, TeamFactory
from tests.schedules.test_api_backup import MEMBERS, monday_two_weeks_ago, turn_on_backup, url
from tests.schedules.test_backup_follows_primary import add_schedule, backup_on, primary_on

DAY = datetime.timedelta(days=1)


@pytest.fixture
def staff(db):
    return client_for("staff")


def make_team(staff, backup_handoff: str) -> Team:
    team = TeamFactory(
        name="Payments",
        slug="payments",
        rotation_enabled=True,
        rotation_interval="weekly",
        handoff_day=0,
        handoff_time=datetime.time(9),
        rotation_start_date=monday_two_weeks_ago(),
        lookahead_periods=4,
        overrides_require_approval=True,
    )
    for n, uid in enumerate(MEMBERS):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=datetime.date(2026, 1, 1 + n))
    turn_on_backup(staff, team, handoff_time=backup_handoff)
    # A manual schedule may not overlap an auto one of its line: the backup answers by its
    # rotation here, with no saved rows in the way.
    Schedule.objects.filter(team=team, role="backup", origin="auto").delete()
    return team


@pytest.fixture
def team(db, staff):
    return make_team(staff, "09:00")


@pytest.fixture
def day():
    return timezone.now().date() + 4 * DAY


def add_override(staff, team, who, day, role="primary"):
    body = {"engineer_slack_id": who, "start_date": str(day), "end_date": str(day), "role": role}
    return staff.post(url(team, "oncall-overrides", role=None), body, format="json")


def not_primary(team, day) -> str:
    return next(m for m in MEMBERS if m != primary_on(team, day))


def test_a_backup_schedule_or_override_naming_the_days_primary_is_refused(staff, team, day):
    primary = primary_on(team, day)
    entries = AuditLog.objects.count()
    body = assert_error(add_schedule(staff, team, primary, day, "backup"), 409, "engineer_slack_id")
    message = body["errors"]["engineer_slack_id"][0]
    assert primary in message and "primary on call" in message and str(day) in message
    assert message.startswith(f"{Person.objects.get(slack_user_id=primary).name} ({primary})")
    assert_error(add_override(staff, team, primary, day, "backup"), 409, "engineer_slack_id")
    assert not Schedule.objects.filter(role="backup", origin="manual").exists()
    assert not Override.objects.exists() and AuditLog.objects.count() == entries


def test_changing_a_backup_schedule_onto_the_days_primary_is_refused(staff, team, day):
    created = add_schedule(staff, team, not_primary(team, day), day, "backup")
    assert created.status_code == 201, created.content
    path = f"/api/v1/teams/{team.slug}/oncall-schedules/{created.json()['id']}/"
    response = staff.patch(path, {"engineer_slack_id": primary_on(team, day)}, format="json")
    assert_error(response, 409, "engineer_slack_id")
    assert Schedule.objects.get(pk=created.json()["id"]).engineer_slack_id != primary_on(team, day)


def test_a_primary_schedule_or_override_naming_a_manual_backup_is_refused(staff, team, day):
    backup = not_primary(team, day)
    assert add_schedule(staff, team, backup, day, "backup").status_code == 201
    body = assert_error(add_schedule(staff, team, backup, day), 409, "engineer_slack_id")
    assert "backup on call" in body["errors"]["engineer_slack_id"][0]
    assert_error(add_override(staff, team, backup, day), 409, "engineer_slack_id")
    assert not Schedule.objects.filter(role="primary", origin="manual").exists()
    assert add_schedule(staff, team, backup, day + DAY).status_code == 201, "another day is free"


def test_a_primary_schedule_naming_whom_the_backups_rotation_gives_is_taken(staff, team, day):
    """Only the backup's manual spans hold a person against the primary: its rotation moves
    off them instead (test_backup_follows_primary)."""
    person = backup_on(team, day)
    assert person is not None and person != primary_on(team, day)
    created = add_schedule(staff, team, person, day)
    assert created.status_code == 201, created.content
    assert primary_on(team, day) == person
    assert backup_on(team, day) not in (None, person)  # the backup's rotation moved off them


def test_approving_a_backup_override_whose_person_became_primary_is_refused(staff, team, day):
    person = not_primary(team, day)
    requested = add_override(staff, team, person, day, "backup")
    assert requested.json()["status"] == "pending"
    # A pending backup override holds nobody yet: the person may still be made primary.
    assert add_schedule(staff, team, person, day).status_code == 201
    path = f"/api/v1/teams/{team.slug}/oncall-overrides/{requested.json()['id']}/"
    assert_error(staff.patch(path, {"status": "approved"}, format="json"), 409, "engineer_slack_id")
    assert Override.objects.get().status == "pending"


def test_a_later_backup_handoff_keeps_clear_of_the_next_days_primary(staff, db):
    """The backup hands off at 18:00, the primary at 09:00 on Mondays: Sunday's backup runs
    into Monday morning, so the next week's primary is refused for Sunday, not Saturday."""
    team = make_team(staff, "18:00")
    today = timezone.now().date()
    sunday = today + datetime.timedelta(days=(6 - today.weekday()) % 7 or 7)
    if sunday - today < 2 * DAY:
        sunday += 7 * DAY
    next_week = primary_on(team, sunday + DAY)
    assert next_week != primary_on(team, sunday)
    assert_error(add_schedule(staff, team, next_week, sunday, "backup"), 409, "engineer_slack_id")
    saturday = add_schedule(staff, team, next_week, sunday - DAY, "backup")
    assert saturday.status_code == 201, saturday.content


def test_a_daily_backup_schedule_is_checked_on_its_own_days_only(staff, team, day):
    """The day's primary may be the backup on Wednesday of the next week, when another is
    primary, by a daily schedule whose range holds their own Sunday but not its weekdays."""
    monday = day + datetime.timedelta(days=7 - day.weekday())
    person = primary_on(team, monday - DAY)
    assert primary_on(team, monday + 2 * DAY) != person
    body = {
        "engineer_slack_id": person,
        "start_date": str(monday - DAY),
        "end_date": str(monday + 2 * DAY),
        "schedule_type": "daily",
        "days_of_week": [2],
        "role": "backup",
    }
    created = staff.post(url(team, "oncall-schedules", role=None), body, format="json")
    assert created.status_code == 201, created.content
    on_sunday = {**body, "days_of_week": [2, 6], "start_date": str(monday - DAY)}
    Schedule.objects.filter(role="backup", origin="manual").delete()
    refused = staff.post(url(team, "oncall-schedules", role=None), on_sunday, format="json")
    assert_error(refused, 409, "engineer_slack_id")


def test_a_manual_backup_on_a_line_turned_off_holds_nobody_off_the_primary(staff, team, day):
    backup = not_primary(team, day)
    assert add_schedule(staff, team, backup, day, "backup").status_code == 201
    response = staff.patch(url(team, "rotation-config"), {"rotation_enabled": False}, format="json")
    assert response.status_code == 200, response.content

    created = add_schedule(staff, team, backup, day)

    assert created.status_code == 201, created.content
