"""Manual and automatic schedules. The team row lock serialises overlap checks."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, NotFound
from oncall_project.base.writes import (
    UNSET,
    Fields,
    Unset,
    apply_changes,
    created_values,
    deleted_values,
)
from schedules.actions.line_clash import ensure_not_on_other_line
from schedules.actions.rotation import after_primary_change, before_primary_change
from schedules.domain.overlap import spans_share_a_day
from schedules.models import Origin, Role, Schedule, ScheduleType
from teams.actions import ensure_team_active, lock_team
from teams.checkpoints import forget_checkpoints
from teams.models import Team
from teams.people import person_require_if_changed
from teams.permissions import ensure_can_manage_team
from teams.selectors import person_label
from teams.slack_first import asks_slack_first


@dataclass(frozen=True, kw_only=True)
class ScheduleFields(Fields):
    """Who covers which dates (`end_date` inclusive); a daily schedule only on its days."""

    engineer_slack_id: str | Unset = UNSET
    start_date: datetime.date | Unset = UNSET
    end_date: datetime.date | Unset = UNSET
    schedule_type: str | Unset = UNSET
    days_of_week: list[int] | Unset = UNSET


# What a schedule's audit entries hold, besides its origin.
AUDITED = sorted(ScheduleFields.names())


def _days(schedule: Schedule) -> list[int] | None:
    return schedule.days_of_week if schedule.schedule_type == ScheduleType.DAILY else None


def ensure_no_overlap(schedule: Schedule) -> None:
    """Refuse a schedule that shares a covered day with another schedule of its team's line."""
    others = Schedule.objects.filter(
        team_id=schedule.team_id,
        role=schedule.role,
        start_date__lte=schedule.end_date,
        end_date__gte=schedule.start_date,
    ).exclude(pk=schedule.pk)
    for other in others:
        if spans_share_a_day(
            schedule.start_date,
            schedule.end_date,
            _days(schedule),
            other.start_date,
            other.end_date,
            _days(other),
        ):
            line = "backup " if other.role == Role.BACKUP else ""
            message = (
                f"Overlaps the {other.origin} {line}schedule of "
                f"{person_label(other.engineer_slack_id)} "
                f"({other.start_date} to {other.end_date})."
            )
            raise Conflict(message, {"start_date": [message]})


def ensure_line_clear(team: Team):
    """The checks before a schedule of `team` is saved: no overlap on its line, nobody on both
    lines at once."""

    def checks(schedule: Schedule) -> None:
        ensure_no_overlap(schedule)
        ensure_not_on_other_line(
            team,
            schedule.role,
            schedule.engineer_slack_id,
            schedule.start_date,
            schedule.end_date,
            schedule.days_of_week,
        )

    return checks


@asks_slack_first
@transaction.atomic
def schedule_create(
    *,
    team: Team,
    actor: Actor | None,
    fields: ScheduleFields,
    role: str = Role.PRIMARY,
) -> Schedule:
    """A manual schedule on the team's `role` line (primary or backup; it stays on that line);
    a rotation's own schedules are made by its plan (`schedules.actions.rotation`)."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    given = fields.given()
    person_require_if_changed(
        field="engineer_slack_id",
        slack_user_id=given.get("engineer_slack_id"),
        current="",
        actor=actor,
    )
    schedule = Schedule(
        team=team, origin=Origin.MANUAL, role=role, created_by=actor.id if actor else "system"
    )
    snapshot = before_primary_change(team, role)
    apply_changes(schedule, given, before_save=ensure_line_clear(team))
    forget_checkpoints([team], schedule.start_date)
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.SCHEDULE,
            entity_id=schedule.pk,
            action=AuditAction.CREATED,
            actor=actor,
            team=team,
            changes=created_values(schedule, ["origin", *AUDITED]),
            metadata={"role": schedule.role},
            engineer_slack_id=schedule.engineer_slack_id,
            change_type="schedule_created",
            effective_date=schedule.start_date,
        )
    )
    after_primary_change(team, actor, snapshot, f"schedule:{entry.pk}")
    return schedule


def _lock_schedule(schedule: Schedule, actor: Actor | None) -> tuple[Team, Schedule]:
    team = lock_team(schedule.team_id)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    # Read again as committed: a write this one waited on the lock for may have deleted it.
    found = Schedule.objects.filter(pk=schedule.pk).first()
    if found is None:
        raise NotFound("This schedule was deleted meanwhile.")
    return team, found


@asks_slack_first
@transaction.atomic
def schedule_update(
    *, schedule: Schedule, actor: Actor | None, changes: ScheduleFields
) -> Schedule:
    team, schedule = _lock_schedule(schedule, actor)
    previous = schedule.engineer_slack_id
    given = changes.given()
    person_require_if_changed(
        field="engineer_slack_id",
        slack_user_id=given.get("engineer_slack_id"),
        current=previous,
        actor=actor,
    )
    snapshot = before_primary_change(team, schedule.role)
    starts = schedule.start_date
    changed = apply_changes(schedule, given, before_save=ensure_line_clear(team))
    if changed:
        forget_checkpoints([team], min(starts, schedule.start_date))
        [entry] = record(
            AuditEvent(
                entity_type=EntityType.SCHEDULE,
                entity_id=schedule.pk,
                action=AuditAction.UPDATED,
                actor=actor,
                team=team,
                changes=changed,
                metadata={"role": schedule.role},
                engineer_slack_id=schedule.engineer_slack_id,
                previous_engineer_slack_id=previous,
                change_type="schedule_updated",
                effective_date=schedule.start_date,
            )
        )
        after_primary_change(team, actor, snapshot, f"schedule:{entry.pk}")
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule, actor: Actor | None) -> None:
    team, schedule = _lock_schedule(schedule, actor)
    changes = deleted_values(schedule, ["origin", *AUDITED])
    entity_id, role = schedule.pk, schedule.role
    snapshot = before_primary_change(team, role)
    forget_checkpoints([team], schedule.start_date)
    schedule.delete()
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.SCHEDULE,
            entity_id=entity_id,
            action=AuditAction.DELETED,
            actor=actor,
            team=team,
            changes=changes,
            metadata={"role": role},
            previous_engineer_slack_id=changes["engineer_slack_id"]["old"],
            change_type="schedule_deleted",
        )
    )
    after_primary_change(team, actor, snapshot, f"schedule:{entry.pk}")
