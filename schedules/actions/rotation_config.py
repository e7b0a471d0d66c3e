"""Changing a line's rotation settings — the primary's (on the team) or the backup's
(`BackupLine`, created with its first change) — and following a membership change: each
re-plans the line's future auto schedules and tells the people moved. A change to the primary
re-plans the backup too, which keeps clear of the primary's days."""

import datetime
import uuid
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.writes import apply_changes
from schedules import checkpoints, domain, lines
from schedules.actions.rotation import (
    BACKUP_LINE,
    RotationOutcome,
    backup_snapshot,
    check_start_date,
    follow_with_backup,
    horizon,
    outcome_notes,
    regenerate_future,
)
from schedules.models import Role
from teams.actions import RotationSettings, ensure_team_active, lock_team
from teams.checkpoints import drop
from teams.models import BackupLine, Team
from teams.people import rotation_order_require
from teams.permissions import ensure_can_manage_team
from teams.rotation_fields import RotationFields
from teams.slack_first import asks_slack_first


def _line_for_change(team: Team, role: str) -> RotationFields:
    """The settings row a change is saved on; the backup line's is made on its first change."""
    if role != Role.BACKUP:
        return team
    return BackupLine.objects.filter(team=team).first() or BackupLine(team=team)


def _line_state(team: Team, role: str, today: datetime.date) -> domain.TeamState:
    line = lines.line_settings(team, role)
    return lines.line_state(
        team, role, today, horizon(team, today, line.lookahead_periods + 8, line)
    )


@asks_slack_first
def rotation_config_update(
    *,
    team: Team,
    actor: Actor | None,
    settings: RotationSettings,
    now: datetime.datetime | None = None,
    role: str = Role.PRIMARY,
) -> RotationOutcome:
    """Change the `role` line's rotation settings, regenerate its future auto schedules (and
    the backup's after a primary change), return the impact."""
    with transaction.atomic():
        return _update(team, actor, settings, now or timezone.now(), role)


def _update(team, actor, settings, now, role) -> RotationOutcome:
    changes = settings.given()
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    today = lines.line_today(team, role, now)
    check_start_date(changes, today)
    before = _line_state(team, role, today)
    backup_before = backup_snapshot(team, now) if role == Role.PRIMARY else None
    line = _line_for_change(team, role)
    if "rotation_order" in changes:
        rotation_order_require(
            team=team, order=changes["rotation_order"], current=line.rotation_order, actor=actor
        )
    changed = apply_changes(line, changes)
    if not changed:
        return RotationOutcome([], domain.Impact())
    # Made for the settings before: the re-plan loads the line from its start and makes anew
    # (where there is nothing to make, a rotation switched off say, none stays on the row).
    drop(line)
    checkpoints.save(line)
    if {"handoff_time", "handoff_day"} & set(changed):
        # Recomputed by the next handoff tick, under the new settings.
        type(line).objects.filter(pk=line.pk).update(next_handoff_at=None)
    if role == Role.BACKUP:
        team.backup_line = line
        today = lines.line_today(team, role, now)
    entry_id = uuid.uuid4()  # the messages to the people moved name the entry
    key = f"rotation:{entry_id}"
    outcome = regenerate_future(team, actor, before, today, change_key=key, role=role)
    record(
        AuditEvent(
            id=entry_id,
            entity_type=EntityType.ROTATION_CONFIG,
            entity_id=team.pk,
            action=AuditAction.UPDATED,
            actor=actor,
            team=team,
            changes=changed,
            metadata={"role": role, **outcome_notes(outcome)},
        )
    )
    if role == Role.PRIMARY:
        backup = follow_with_backup(team, actor, now, change_key=key, snapshot=backup_before)
        if backup is not None and backup.unfilled:  # the primary's new periods clash with it
            outcome = replace(outcome, warnings=(*outcome.warnings, BACKUP_LINE + backup.unfilled))
    return outcome


@dataclass(frozen=True)
class Snapshot:
    """Both lines as they were before a membership change."""

    now: datetime.datetime
    primary: tuple | None
    backup: tuple | None


def rotation_snapshot(team: Team, now: datetime.datetime | None = None) -> Snapshot | None:
    """Before a membership change: the states to compare against, or None when neither line
    rotates."""
    now = now or timezone.now()
    primary = None
    if team.rotation_enabled:
        today = lines.line_today(team, Role.PRIMARY, now)
        primary = (_line_state(team, Role.PRIMARY, today), today)
    backup = backup_snapshot(team, now)
    if primary is None and backup is None:
        return None
    return Snapshot(now, primary, backup)


def rotation_follow_membership(
    team: Team, actor: Actor | None, snapshot: Snapshot | None, change_key: str
) -> RotationOutcome | None:
    """After a membership change (caller holds the team lock): re-plan both lines' future
    auto schedules and tell whoever gained or lost shifts; the primary's outcome."""
    if snapshot is None:
        return None
    outcome = None
    if snapshot.primary is not None:
        before, today = snapshot.primary
        outcome = regenerate_future(team, actor, before, today, change_key=change_key)
    follow_with_backup(team, actor, snapshot.now, change_key, snapshot=snapshot.backup)
    return outcome
