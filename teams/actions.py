"""Every write to teams, memberships and unavailability."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from audit import record
from audit.actors import Actor
from oncall_project.errors import Conflict, InvalidInput, NotFound
from oncall_project.writes import apply_changes, created_values, deleted_values, save_validated
from teams.models import Team, TeamMembership, Unavailability, new_ical_token
from teams.permissions import ensure_can_manage_team, ensure_staff

TEAM_FIELDS = frozenset(
    {
        "name",
        "slug",
        "description",
        "slack_group_id",
        "slack_channel_id",
        "oncall_engineer",
        "oncall_usergroup_id",
        "timezone",
        "overrides_require_approval",
    }
)
ROTATION_FIELDS = frozenset(
    {
        "rotation_enabled",
        "rotation_type",
        "rotation_order",
        "rotation_interval",
        "rotation_start_date",
        "handoff_day",
        "handoff_time",
        "lookahead_periods",
    }
)
MEMBERSHIP_FIELDS = frozenset(
    {"display_name", "team_role", "is_eligible_for_oncall", "weight", "in_slack_group", "joined_at"}
)
UNAVAILABILITY_FIELDS = frozenset({"slack_user_id", "team", "start_date", "end_date", "reason"})


ROTATION_MEMBER_FIELDS = frozenset(
    {"is_eligible_for_oncall", "weight", "in_slack_group", "joined_at"}
)


def _rotation_snapshot(team: Team):
    from schedules.actions.rotation import rotation_snapshot

    return rotation_snapshot(team)


def _rotation_follow(team: Team, actor: Actor | None, snapshot, key: str) -> None:
    from schedules.actions.rotation import rotation_follow_membership

    rotation_follow_membership(team, actor, snapshot, key)


def lock_team(team_id: Any) -> Team:
    """The team row is the lock that serialises every change to one team's on-call data.

    Taking it bumps the team's on-call version (the UPDATE is what locks the row), so a state
    cached for "now" lookups under the old version is never read again once this commits."""
    try:
        bumped = Team.objects.filter(pk=team_id).update(oncall_version=F("oncall_version") + 1)
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


def oncall_changed_everywhere() -> None:
    """A change that concerns every team (time away with no team): bump every version."""
    Team.objects.update(oncall_version=F("oncall_version") + 1)


@transaction.atomic
def team_create(*, actor: Actor | None, name: str, **fields: Any) -> Team:
    ensure_staff(actor)
    allowed = TEAM_FIELDS | ROTATION_FIELDS
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(
            f"Unknown field: {sorted(unknown)[0]}.", {k: ["Unknown field."] for k in unknown}
        )
    fields.setdefault("slug", slugify(name or ""))
    if not fields["slug"]:
        raise InvalidInput("A team needs a name.", {"name": ["A team needs a name."]})
    team = Team(name=name, **fields)
    save_validated(team)
    record(
        entity_type="team",
        entity_id=team.pk,
        action="created",
        actor=actor,
        team=team,
        changes=created_values(team, ["name", "slug", *sorted(fields)]),
    )
    return team


@transaction.atomic
def team_update(*, team: Team, actor: Actor | None, **changes: Any) -> Team:
    """Update a team's own fields. Rotation settings change through rotation_config_update."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    changed = apply_changes(team, changes, TEAM_FIELDS)
    if "timezone" in changed:
        # Handoffs follow the new local wall time from the next beat tick on.
        Team.objects.filter(pk=team.pk).update(next_handoff_at=None)
    if changed:
        record(
            entity_type="team",
            entity_id=team.pk,
            action="updated",
            actor=actor,
            team=team,
            changes=changed,
        )
    return team


def _set_active(team: Team, actor: Actor | None, active: bool, action: str) -> Team:
    team = lock_team(team.pk)
    ensure_staff(actor)
    if team.is_active == active:
        return team
    changed = apply_changes(team, {"is_active": active}, frozenset({"is_active"}))
    record(
        entity_type="team",
        entity_id=team.pk,
        action=action,
        actor=actor,
        team=team,
        changes=changed,
    )
    return team


@transaction.atomic
def team_soft_delete(*, team: Team, actor: Actor | None) -> Team:
    return _set_active(team, actor, False, "deleted")


@transaction.atomic
def team_restore(*, team: Team, actor: Actor | None) -> Team:
    return _set_active(team, actor, True, "restored")


@transaction.atomic
def membership_upsert(
    *, team: Team, slack_user_id: str, actor: Actor | None, **fields: Any
) -> TeamMembership:
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    snapshot = _rotation_snapshot(team)
    membership = TeamMembership.objects.filter(team=team, slack_user_id=slack_user_id).first()
    if membership is None:
        membership = TeamMembership(team=team, slack_user_id=slack_user_id)
        apply_changes(membership, fields, MEMBERSHIP_FIELDS)
        changed = created_values(membership, ["slack_user_id", *MEMBERSHIP_FIELDS])
        action = "created"
    else:
        changed = apply_changes(membership, fields, MEMBERSHIP_FIELDS)
        action = "updated"
        if not changed:
            return membership
    entry = record(
        entity_type="team_membership",
        entity_id=membership.pk,
        action=action,
        actor=actor,
        team=team,
        changes=changed,
        engineer_slack_id=slack_user_id,
    )
    if action == "created" or ROTATION_MEMBER_FIELDS & set(changed):
        _rotation_follow(team, actor, snapshot, f"membership:{entry.pk}")
    return membership


@transaction.atomic
def membership_remove(*, team: Team, slack_user_id: str, actor: Actor | None) -> None:
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    membership = TeamMembership.objects.filter(team=team, slack_user_id=slack_user_id).first()
    if membership is None:
        raise NotFound(f"{slack_user_id} is not a member of {team.name}.")
    snapshot = _rotation_snapshot(team)
    changes = deleted_values(membership, ["slack_user_id", *MEMBERSHIP_FIELDS])
    entity_id = membership.pk
    membership.delete()
    entry = record(
        entity_type="team_membership",
        entity_id=entity_id,
        action="deleted",
        actor=actor,
        team=team,
        changes=changes,
        engineer_slack_id=slack_user_id,
    )
    _rotation_follow(team, actor, snapshot, f"membership:{entry.pk}")


def _away_teams(team: Team | None, slack_user_id: str) -> list[Team]:
    """The teams whose rotation time away can move, locked: its own team, or (away from every
    team) each active rotating team the person is a member of."""
    if team is not None:
        locked = lock_team(team.pk)
        ensure_team_active(locked)
        return [locked]
    oncall_changed_everywhere()
    ids = (
        TeamMembership.objects.filter(
            slack_user_id=slack_user_id, team__is_active=True, team__rotation_enabled=True
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
        _rotation_follow(team, actor, snapshot, f"unavailability:{entry.pk}:{team.pk}")


@transaction.atomic
def unavailability_create(*, actor: Actor | None, **fields: Any) -> Unavailability:
    team = fields.get("team")
    _ensure_may_record_away(actor, team, fields.get("slack_user_id", ""))
    teams = _away_teams(team, fields.get("slack_user_id", ""))
    if team is not None:
        fields["team"] = teams[0]
    snapshots = [_rotation_snapshot(t) for t in teams]
    away = Unavailability()
    apply_changes(away, fields, UNAVAILABILITY_FIELDS)
    entry = record(
        entity_type="unavailability",
        entity_id=away.pk,
        action="created",
        actor=actor,
        team=team,
        changes=created_values(away, sorted(UNAVAILABILITY_FIELDS)),
        engineer_slack_id=away.slack_user_id,
    )
    _replan_after_away(teams, actor, snapshots, entry)
    return away


@transaction.atomic
def unavailability_delete(*, unavailability: Unavailability, actor: Actor | None) -> None:
    away = unavailability
    _ensure_may_record_away(actor, away.team, away.slack_user_id)
    teams = _away_teams(away.team, away.slack_user_id)
    snapshots = [_rotation_snapshot(t) for t in teams]
    changes = deleted_values(away, sorted(UNAVAILABILITY_FIELDS))
    entity_id, team = away.pk, away.team
    away.delete()
    entry = record(
        entity_type="unavailability",
        entity_id=entity_id,
        action="deleted",
        actor=actor,
        team=team,
        changes=changes,
        engineer_slack_id=changes["slack_user_id"]["old"],
    )
    _replan_after_away(teams, actor, snapshots, entry)


@transaction.atomic
def team_sync_members(
    *, team: Team, slack_members: list[str], actor: Actor | None
) -> dict[str, list[str]]:
    """Apply the Slack user group's member list: newcomers get a row with default metadata,
    members gone from the group keep their row (metadata preserved) but leave the rotation."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    snapshot = _rotation_snapshot(team)
    in_group = set(slack_members)
    rows = {m.slack_user_id: m for m in TeamMembership.objects.filter(team=team)}
    added = sorted(in_group - set(rows))
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, slack_user_id=uid, in_slack_group=True) for uid in added]
    )
    returned = sorted(u for u, m in rows.items() if u in in_group and m.in_slack_group is not True)
    gone = sorted(u for u, m in rows.items() if u not in in_group and m.in_slack_group is not False)
    TeamMembership.objects.filter(team=team, slack_user_id__in=returned).update(in_slack_group=True)
    TeamMembership.objects.filter(team=team, slack_user_id__in=gone).update(in_slack_group=False)
    outcome = {"added": added, "returned": returned, "gone": gone}
    if any(outcome.values()):
        entry = record(
            entity_type="team_membership",
            entity_id=team.pk,
            action="synced_from_slack",
            actor=actor,
            team=team,
            changes={"members": {"old": sorted(rows), "new": sorted(in_group)}},
            metadata=outcome,
        )
        _rotation_follow(team, actor, snapshot, f"sync:{entry.pk}")
    return outcome


@transaction.atomic
def team_ical_token_reset(*, team: Team, actor: Actor | None) -> Team:
    """A new secret for the team's iCal feed; the old URL stops working at once."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    Team.objects.filter(pk=team.pk).update(ical_token=new_ical_token())
    team.refresh_from_db(fields=["ical_token"])
    # The audit says that the secret changed, never what it is.
    record(
        entity_type="team",
        entity_id=team.pk,
        action="ical_token_reset",
        actor=actor,
        team=team,
        changes={"ical_token": {"old": "(secret)", "new": "(new secret)"}},
    )
    return team
