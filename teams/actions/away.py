"""Every write to time away (unavailability): the rotation skips the person for those dates
without losing their turn, so each change re-plans the rotations it touches."""

import datetime

from django.db import transaction
from django.db.models import Q

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound
from oncall_project.base.writes import apply_changes, created_values, deleted_values
from teams.actions.team import ensure_team_active, lock_team
from teams.checkpoints import forget_checkpoints
from teams.models import Team, TeamMembership, Unavailability
from teams.people import person_require
from teams.permissions import ensure_can_manage_team, ensure_staff
from teams.rotation_hook import after_roster_change, before_roster_change
from teams.slack_first import asks_slack_first

# What the audit entries of time away hold.
AWAY_FIELDS = ("end_date", "reason", "slack_user_id", "start_date", "team")


def _away_teams(team: Team | None, slack_user_id: str) -> list[Team]:
    """The teams whose rotation time away can move, locked (so their on-call versions move on):
    its own team, or (away from every team) each active rotating team the person is a member
    of whose primary or backup line rotates. No other team can feel it: only members take
    turns."""
    if team is not None:
        locked = lock_team(team.pk)
        ensure_team_active(locked)
        return [locked]
    ids = (
        TeamMembership.objects.filter(
            Q(team__rotation_enabled=True) | Q(team__backup_line__rotation_enabled=True),
            slack_user_id=slack_user_id,
            team__is_active=True,
        )
        .order_by("team_id")
        .values_list("team_id", flat=True)
    )
    return [lock_team(pk) for pk in ids]


def _ensure_may_record_away(actor: Actor | None, team: Team | None, slack_user_id: str) -> None:
    if actor is None or actor.is_staff or actor.slack_user_id == slack_user_id:
        return
    if team is None:
        ensure_staff(actor)
    ensure_can_manage_team(actor, team)


def _replan_after_away(teams: list[Team], actor, snapshots: list, entry) -> None:
    """Time away moves turns: re-plan each rotation, as a membership change does."""
    for team, snapshot in zip(teams, snapshots, strict=True):
        after_roster_change(team, actor, snapshot, f"unavailability:{entry.pk}:{team.pk}")


@asks_slack_first
@transaction.atomic
def unavailability_create(
    *,
    actor: Actor | None,
    slack_user_id: str,
    start_date: datetime.date,
    end_date: datetime.date,
    team: Team | None = None,
    reason: str = "",
) -> Unavailability:
    """Time away from `team`, or (None) from every team."""
    _ensure_may_record_away(actor, team, slack_user_id)
    person_require(field="slack_user_id", slack_user_id=slack_user_id, actor=actor)
    teams = _away_teams(team, slack_user_id)
    snapshots = [before_roster_change(t) for t in teams]
    away = Unavailability()
    fields = {"slack_user_id": slack_user_id, "team": teams[0] if team else None}
    fields |= {"start_date": start_date, "end_date": end_date, "reason": reason}
    apply_changes(away, fields)
    forget_checkpoints(teams, away.start_date)
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.UNAVAILABILITY,
            entity_id=away.pk,
            action=AuditAction.CREATED,
            actor=actor,
            team=team,
            changes=created_values(away, AWAY_FIELDS),
            engineer_slack_id=away.slack_user_id,
        )
    )
    _replan_after_away(teams, actor, snapshots, entry)
    return away


@transaction.atomic
def unavailability_delete(*, unavailability: Unavailability, actor: Actor | None) -> None:
    """Remove time away (its team and person never change); NotFound when a removal that
    waited on the locks finds it removed already (a double click), with nothing written."""
    _ensure_may_record_away(actor, unavailability.team, unavailability.slack_user_id)
    teams = _away_teams(unavailability.team, unavailability.slack_user_id)
    away = Unavailability.objects.select_for_update().filter(pk=unavailability.pk).first()
    if away is None:
        raise NotFound("This time away was removed already.")
    snapshots = [before_roster_change(t) for t in teams]
    changes = deleted_values(away, AWAY_FIELDS)
    entity_id, team = away.pk, away.team
    forget_checkpoints(teams, away.start_date)
    away.delete()
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.UNAVAILABILITY,
            entity_id=entity_id,
            action=AuditAction.DELETED,
            actor=actor,
            team=team,
            changes=changes,
            engineer_slack_id=changes["slack_user_id"]["old"],
        )
    )
    _replan_after_away(teams, actor, snapshots, entry)
