"""Every write to a team's own fields, and the team lock every on-call write takes."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, InvalidInput, NotFound
from oncall_project.base.writes import (
    UNSET,
    Fields,
    Unset,
    apply_changes,
    created_values,
    save_validated,
)
from teams.checkpoints import forget_checkpoints
from teams.models import BackupLine, Team, new_ical_token, next_oncall_version
from teams.people import person_require_if_changed
from teams.permissions import ensure_can_manage_team, ensure_staff
from teams.slack_first import asks_slack_first


@dataclass(frozen=True, kw_only=True)
class TeamFields(Fields):
    """A team's own fields (its rotation settings are `RotationSettings`)."""

    name: str | Unset = UNSET
    slug: str | Unset = UNSET
    description: str | Unset = UNSET
    slack_group_id: str | Unset = UNSET
    slack_channel_id: str | Unset = UNSET
    oncall_engineer: str | Unset = UNSET
    oncall_usergroup_id: str | Unset = UNSET
    timezone: str | Unset = UNSET
    overrides_require_approval: bool | Unset = UNSET


@dataclass(frozen=True, kw_only=True)
class RotationSettings(Fields):
    """How a team's rotation turns; a change re-plans its future automatic schedules
    (schedules.actions.rotation_config_update)."""

    rotation_enabled: bool | Unset = UNSET
    rotation_type: str | Unset = UNSET
    rotation_order: list[str] | Unset = UNSET
    rotation_interval: str | Unset = UNSET
    rotation_start_date: datetime.date | Unset | None = UNSET
    handoff_day: int | Unset | None = UNSET
    handoff_time: datetime.time | Unset = UNSET
    lookahead_periods: int | Unset = UNSET


def team_fields(values: Mapping[str, Any]) -> tuple[TeamFields, RotationSettings]:
    """A team's values from one form (the admin's, a script's) as the two actions' inputs: its
    own fields and its rotation settings. A name that is neither is bad input."""
    rotation = {k: v for k, v in values.items() if k in RotationSettings.names()}
    own = {k: v for k, v in values.items() if k not in rotation}
    return TeamFields.parse(own), RotationSettings.parse(rotation)


def lock_team(team_id: Any) -> Team:
    """The team row is the lock that serialises every change to one team's on-call data.

    Taking it bumps the team's on-call version (the UPDATE is what locks the row), so a state
    cached for "now" lookups under the old version is never read again once this commits."""
    try:
        bumped = Team.objects.filter(pk=team_id).update(oncall_version=next_oncall_version())
    except (ValueError, ValidationError) as exc:
        raise NotFound("No such team.") from exc
    if not bumped:
        raise NotFound("No such team.")
    return Team.objects.get(pk=team_id)


TEAM_DELETED = "The team is deleted; restore it first."


def ensure_team_active(team: Team) -> None:
    """A soft-deleted team keeps its data for reading; every write to its on-call data, from the
    admin, a page or the API, waits until it is restored (team_restore does that). Resetting
    its iCal secret stays allowed: that only ever closes a feed."""
    if not team.is_active:
        raise Conflict(TEAM_DELETED)


@asks_slack_first
@transaction.atomic
def team_create(*, actor: Actor | None, fields: TeamFields) -> Team:
    """A new team (staff only); the slug defaults to one made from the name. A team created
    with its rotation settings goes through schedules' team_create_with_rotation, which plans
    it."""
    ensure_staff(actor)
    given = fields.given()
    name = given.pop("name", "")
    given.setdefault("slug", slugify(name or ""))
    if not given["slug"]:
        raise InvalidInput("A team needs a name.", {"name": ["A team needs a name."]})
    person_require_if_changed(
        field="oncall_engineer", slack_user_id=given.get("oncall_engineer"), current="", actor=actor
    )
    team = Team(name=name, **given)
    save_validated(team)
    record(
        AuditEvent(
            entity_type=EntityType.TEAM,
            entity_id=team.pk,
            action=AuditAction.CREATED,
            actor=actor,
            team=team,
            changes=created_values(team, ["name", "slug", *sorted(given)]),
        )
    )
    return team


@asks_slack_first
@transaction.atomic
def team_update(*, team: Team, actor: Actor | None, changes: TeamFields) -> Team:
    """Update a team's own fields. Rotation settings change through rotation_config_update."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    given = changes.given()
    person_require_if_changed(
        field="oncall_engineer",
        slack_user_id=given.get("oncall_engineer"),
        current=team.oncall_engineer,
        actor=actor,
    )
    changed = apply_changes(team, given)
    if "timezone" in changed:
        # Handoffs follow the new local wall time from the next beat tick on: both lines',
        # since the backup line hands off in the team's time zone too.
        Team.objects.filter(pk=team.pk).update(next_handoff_at=None)
        BackupLine.objects.filter(team_id=team.pk).update(next_handoff_at=None)
    if changed:
        record(
            AuditEvent(
                entity_type=EntityType.TEAM,
                entity_id=team.pk,
                action=AuditAction.UPDATED,
                actor=actor,
                team=team,
                changes=changed,
            )
        )
    return team


def _set_active(team: Team, actor: Actor | None, active: bool, action: AuditAction) -> Team:
    team = lock_team(team.pk)
    ensure_staff(actor)
    if team.is_active == active:
        return team
    changed = apply_changes(team, {"is_active": active})
    record(
        AuditEvent(
            entity_type=EntityType.TEAM,
            entity_id=team.pk,
            action=action,
            actor=actor,
            team=team,
            changes=changed,
        )
    )
    return team


@transaction.atomic
def team_soft_delete(*, team: Team, actor: Actor | None) -> Team:
    return _set_active(team, actor, False, AuditAction.DELETED)


@transaction.atomic
def team_restore(*, team: Team, actor: Actor | None) -> Team:
    restored = _set_active(team, actor, True, AuditAction.RESTORED)
    # Time away from every team, written while it was archived, did not reach its checkpoints
    # (only active teams' are dropped then): its rotations start again from their anchors.
    forget_checkpoints([restored], None)
    return restored


@transaction.atomic
def team_ical_token_reset(*, team: Team, actor: Actor | None) -> Team:
    """A new secret for the team's iCal feed; the old URL stops working at once."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    Team.objects.filter(pk=team.pk).update(ical_token=new_ical_token())
    team.refresh_from_db(fields=["ical_token"])
    # The audit says that the secret changed, never what it is.
    record(
        AuditEvent(
            entity_type=EntityType.TEAM,
            entity_id=team.pk,
            action=AuditAction.ICAL_TOKEN_RESET,
            actor=actor,
            team=team,
            changes={"ical_token": {"old": "(secret)", "new": "(new secret)"}},
        )
    )
    return team
