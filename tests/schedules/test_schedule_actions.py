import datetime
import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditLog
from oncall_project.base.errors import Conflict, InvalidInput, NotFound
from schedules.actions import ScheduleFields, schedule_create, schedule_delete, schedule_update
from schedules.models import Schedule
from tests.factories import ScheduleFactory, TeamFactory
from tests.locks import second_write_while_first_holds, someone_waits_on_a_lock

D = datetime.date


def test_schedule_create_audits_with_engineer(db, staff_actor):
    team = TeamFactory()
    schedule = schedule_create(
        team=team,
        actor=staff_actor,
        fields=ScheduleFields(
            engineer_slack_id="U_ALICE", start_date="2026-12-07", end_date="2026-12-13"
        ),
    )
    assert schedule.start_date == D(2026, 12, 7)
    row = AuditLog.objects.get()
    assert (row.action, row.engineer_slack_id, row.effective_date) == (
        "created",
        "U_ALICE",
        D(2026, 12, 7),
    )
    assert schedule.created_by == "ops-admin" and schedule.origin == "manual"
    assert (row.actor_id, row.changes["origin"]) == ("ops-admin", {"old": None, "new": "manual"})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_date": "2026-12-01"}, "end_date"),
        ({"engineer_slack_id": "alice"}, "engineer_slack_id"),
        ({"start_date": "next week"}, "start_date"),
        ({"schedule_type": "daily", "days_of_week": []}, "days_of_week"),
        ({"schedule_type": "daily", "days_of_week": [7]}, "days_of_week"),
        ({"schedule_type": "daily", "days_of_week": ["mon"]}, "days_of_week"),
        ({"schedule_type": "weekly", "days_of_week": [1]}, "days_of_week"),
    ],
)
def test_schedule_create_refuses_bad_input(db, staff_actor, fields, field):
    team = TeamFactory()
    values = {
        "engineer_slack_id": "U_ALICE",
        "start_date": "2026-12-07",
        "end_date": "2026-12-13",
        **fields,
    }
    with pytest.raises(InvalidInput) as excinfo:
        schedule_create(team=team, actor=staff_actor, fields=ScheduleFields(**values))
    assert field in excinfo.value.errors
    assert not Schedule.objects.exists() and not AuditLog.objects.exists()


@pytest.mark.parametrize(
    ("existing", "new", "overlaps"),
    [
        # weekly against weekly
        ({}, {"start_date": D(2026, 12, 13), "end_date": D(2026, 12, 20)}, True),
        ({}, {"start_date": D(2026, 11, 30), "end_date": D(2026, 12, 7)}, True),  # its first day
        ({}, {"start_date": D(2026, 12, 14), "end_date": D(2026, 12, 20)}, False),
        # daily with days against weekly: 2026-12-07 is a Monday
        (
            {},
            {
                "schedule_type": "daily",
                "days_of_week": [5, 6],
                "start_date": D(2026, 12, 12),
                "end_date": D(2026, 12, 20),
            },
            True,
        ),
        # daily against daily on other days never clash, on a shared day they do
        (
            {"schedule_type": "daily", "days_of_week": [0, 1, 2, 3, 4]},
            {"schedule_type": "daily", "days_of_week": [5, 6]},
            False,
        ),
        (
            {"schedule_type": "daily", "days_of_week": [0, 1, 2, 3, 4]},
            {"schedule_type": "daily", "days_of_week": [4, 5]},
            True,
        ),
        # a daily Monday-only schedule against a weekly one over Tue–Sat does not clash
        (
            {"schedule_type": "daily", "days_of_week": [0]},
            {"start_date": D(2026, 12, 8), "end_date": D(2026, 12, 12)},
            False,
        ),
    ],
)
def test_schedule_overlap_rules(db, staff_actor, existing, new, overlaps):
    team = TeamFactory()
    ScheduleFactory(team=team, **existing)
    values = {
        "engineer_slack_id": "U_BOB",
        "start_date": D(2026, 12, 7),
        "end_date": D(2026, 12, 13),
        **new,
    }
    if overlaps:
        with pytest.raises(Conflict):
            schedule_create(team=team, actor=staff_actor, fields=ScheduleFields(**values))
        assert Schedule.objects.count() == 1 and not AuditLog.objects.exists()
    else:
        schedule_create(team=team, actor=staff_actor, fields=ScheduleFields(**values))
        assert Schedule.objects.count() == 2


def test_schedules_of_other_teams_never_clash(db, staff_actor):
    ScheduleFactory()
    schedule_create(
        team=TeamFactory(),
        actor=staff_actor,
        fields=ScheduleFields(
            engineer_slack_id="U_BOB", start_date=D(2026, 12, 7), end_date=D(2026, 12, 13)
        ),
    )
    assert Schedule.objects.count() == 2


def test_schedule_update_checks_overlap_against_others_only(db, staff_actor):
    team = TeamFactory()
    first = ScheduleFactory(team=team)
    ScheduleFactory(team=team, start_date=D(2026, 12, 14), end_date=D(2026, 12, 20))
    schedule_update(
        schedule=first, actor=staff_actor, changes=ScheduleFields(engineer_slack_id="U_CAROL")
    )
    row = AuditLog.objects.get()
    assert row.changes == {"engineer_slack_id": {"old": "U_ALICE", "new": "U_CAROL"}}
    assert row.previous_engineer_slack_id == "U_ALICE"
    with pytest.raises(Conflict):
        schedule_update(
            schedule=first, actor=staff_actor, changes=ScheduleFields(end_date=D(2026, 12, 14))
        )
    first.refresh_from_db()
    assert first.end_date == D(2026, 12, 13) and AuditLog.objects.count() == 1


def test_schedule_update_without_change_writes_nothing(db, staff_actor):
    schedule = ScheduleFactory()
    schedule_update(
        schedule=schedule, actor=staff_actor, changes=ScheduleFields(engineer_slack_id="U_ALICE")
    )
    assert not AuditLog.objects.exists()


def test_a_schedule_naming_someone_from_before_the_directory_stays_editable(db, staff_actor):
    """A form sends every field back: the engineer it already names is not checked again."""
    schedule = ScheduleFactory(engineer_slack_id="U_UNLISTED")
    schedule_update(
        schedule=schedule,
        actor=staff_actor,
        changes=ScheduleFields(engineer_slack_id="U_UNLISTED", end_date=D(2026, 12, 12)),
    )
    schedule.refresh_from_db()
    assert (schedule.engineer_slack_id, schedule.end_date) == ("U_UNLISTED", D(2026, 12, 12))


def test_schedule_delete(db, staff_actor):
    schedule = ScheduleFactory()
    schedule_delete(schedule=schedule, actor=staff_actor)
    assert not Schedule.objects.exists()
    row = AuditLog.objects.get()
    assert row.changes["engineer_slack_id"] == {"old": "U_ALICE", "new": None}
    assert (row.actor_type, row.actor_id, row.previous_engineer_slack_id) == (
        "user",
        "ops-admin",
        "U_ALICE",
    )


def test_a_deleted_team_takes_no_schedule_change(db, staff_actor):
    team = TeamFactory(is_active=False)
    schedule = ScheduleFactory(team=team)
    with pytest.raises(Conflict, match=r"The team is deleted; restore it first\."):
        schedule_create(
            team=team,
            actor=staff_actor,
            fields=ScheduleFields(
                engineer_slack_id="U_BOB", start_date="2026-12-21", end_date="2026-12-27"
            ),
        )
    with pytest.raises(Conflict, match="restore it first"):
        schedule_update(
            schedule=schedule, actor=staff_actor, changes=ScheduleFields(engineer_slack_id="U_BOB")
        )
    with pytest.raises(Conflict, match="restore it first"):
        schedule_delete(schedule=schedule, actor=staff_actor)
    assert list(Schedule.objects.values_list("engineer_slack_id", flat=True)) == ["U_ALICE"]
    assert not AuditLog.objects.exists()


def _week(engineer: str, start: datetime.date = D(2026, 12, 7)) -> ScheduleFields:
    return ScheduleFields(
        engineer_slack_id=engineer, start_date=start, end_date=start + datetime.timedelta(6)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_schedules_at_once_the_second_waits_and_is_refused(staff_actor):
    """The second create waits on the team's lock for the first to commit, then sees its
    schedule: without the lock each would check for overlaps before the other saved."""
    team = TeamFactory()
    second = []

    def create_too() -> None:
        try:
            second.append(schedule_create(team=team, actor=staff_actor, fields=_week("U_BOB")))
        except Conflict as exc:
            second.append(str(exc))
        finally:
            connection.close()

    racing = threading.Thread(target=create_too)
    with transaction.atomic():
        schedule_create(team=team, actor=staff_actor, fields=_week("U_ALICE"))
        racing.start()
        waited = someone_waits_on_a_lock()  # the second create, on the first's team lock
    racing.join(timeout=30)
    assert waited and len(second) == 1 and "Overlaps" in str(second[0])
    assert list(Schedule.objects.values_list("engineer_slack_id", flat=True)) == ["U_ALICE"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_update_that_waited_on_the_lock_keeps_the_change_it_waited_for(staff_actor):
    """The second writer read the schedule before the first changed it: once it holds the lock
    it works on the schedule as committed, so the first's end date is kept, not written back
    from the copy it was given."""
    schedule = ScheduleFactory()
    given = Schedule.objects.get(pk=schedule.pk)  # the copy the second writer was handed
    done = []

    def update_too() -> None:
        try:
            schedule_update(
                schedule=given, actor=staff_actor, changes=ScheduleFields(engineer_slack_id="U_BOB")
            )
            done.append(True)
        finally:
            connection.close()

    racing = threading.Thread(target=update_too)
    with transaction.atomic():
        schedule_update(
            schedule=schedule, actor=staff_actor, changes=ScheduleFields(end_date=D(2026, 12, 10))
        )
        racing.start()
        waited = someone_waits_on_a_lock()  # the second update, on the first's team lock
    racing.join(timeout=30)
    schedule.refresh_from_db()
    assert waited and done == [True]
    assert (schedule.engineer_slack_id, schedule.end_date) == ("U_BOB", D(2026, 12, 10))
    entry = AuditLog.objects.get(changes__has_key="engineer_slack_id")
    assert entry.changes == {"engineer_slack_id": {"old": "U_ALICE", "new": "U_BOB"}}


def test_an_overlap_on_the_backup_line_names_the_backup_schedule(db, staff_actor):
    team = TeamFactory()
    ScheduleFactory(team=team, role="backup", engineer_slack_id="U_BOB")
    message = (
        r"^Overlaps the manual backup schedule of Bob Stone \(U_BOB\) "
        r"\(2026-12-07 to 2026-12-13\)\.$"
    )
    with pytest.raises(Conflict, match=message):
        schedule_create(team=team, actor=staff_actor, fields=_week("U_CAROL"), role="backup")


def test_each_schedule_change_is_audited_with_its_id_line_kind_people_and_day(db, staff_actor):
    schedule = schedule_create(team=TeamFactory(), actor=staff_actor, fields=_week("U_ALICE"))
    schedule_update(
        schedule=schedule,
        actor=staff_actor,
        changes=ScheduleFields(engineer_slack_id="U_BOB", start_date=D(2026, 12, 8)),
    )
    schedule_delete(schedule=schedule, actor=staff_actor)
    rows = AuditLog.objects.all()
    assert {(e.entity_id, e.metadata["role"]) for e in rows} == {(str(schedule.pk), "primary")}
    entries = {
        row.action: (
            row.change_type,
            row.engineer_slack_id,
            row.previous_engineer_slack_id,
            row.effective_date,
        )
        for row in rows
    }
    assert entries == {
        "created": ("schedule_created", "U_ALICE", "", D(2026, 12, 7)),
        "updated": ("schedule_updated", "U_BOB", "U_ALICE", D(2026, 12, 8)),
        "deleted": ("schedule_deleted", "", "U_BOB", None),
    }
    deleted = AuditLog.objects.get(action="deleted").changes
    assert deleted["origin"] == {"old": "manual", "new": None}
    assert deleted["end_date"] == {"old": "2026-12-13", "new": None}


# A second write to a schedule, handed a copy read before the first write
SECOND_WRITES = {
    "delete": lambda schedule, actor: schedule_delete(schedule=schedule, actor=actor),
    "update": lambda schedule, actor: schedule_update(
        schedule=schedule, actor=actor, changes=ScheduleFields(engineer_slack_id="U_BOB")
    ),
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_write", SECOND_WRITES)
def test_a_write_that_waited_on_a_schedules_deletion_finds_it_gone(staff_actor, second_write):
    """A double click on Delete, or an edit racing it: the second write waits on the team's
    lock, then finds the schedule deleted: a 404 in words, not a crash, and nothing written."""
    schedule = ScheduleFactory()
    given = Schedule.objects.get(pk=schedule.pk)  # the copy the second writer was handed
    waited, [outcome] = second_write_while_first_holds(
        lambda: schedule_delete(schedule=schedule, actor=staff_actor),
        lambda: SECOND_WRITES[second_write](given, staff_actor),
    )
    assert waited and isinstance(outcome, NotFound) and "deleted" in str(outcome)
    assert not Schedule.objects.exists()
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["deleted"]


def test_a_backup_schedules_changes_are_audited_on_the_backup_line(db, staff_actor):
    schedule = schedule_create(
        team=TeamFactory(), actor=staff_actor, fields=_week("U_BOB"), role="backup"
    )
    schedule_update(
        schedule=schedule, actor=staff_actor, changes=ScheduleFields(engineer_slack_id="U_CAROL")
    )
    schedule_delete(schedule=schedule, actor=staff_actor)
    rows = AuditLog.objects.filter(entity_type="schedule", entity_id=str(schedule.pk))
    assert sorted((row.action, row.metadata["role"]) for row in rows) == [
        ("created", "backup"),
        ("deleted", "backup"),
        ("updated", "backup"),
    ]
