"""Every write to memberships: one at a time, or the whole list from the Slack user group.
A change that can move turns re-plans the rotation and tells whoever gained or lost shifts."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound
from oncall_project.base.writes import (
    UNSET,
    Fields,
    Unset,
    apply_changes,
    created_values,
    deleted_values,
)
from teams.actions.team import ensure_team_active, lock_team
from teams.models import Team, TeamMembership
from teams.people import person_require
from teams.permissions import ensure_can_manage_team
from teams.rotation_hook import after_roster_change, before_roster_change
from teams.selectors import person_label
from teams.slack_first import asks_slack_first


@dataclass(frozen=True, kw_only=True)
class MembershipFields(Fields):
    """A member's on-call metadata (the member is named by team and Slack id)."""

    display_name: str | Unset = UNSET
    team_role: str | Unset = UNSET
    is_eligible_for_oncall: bool | Unset = UNSET
    is_eligible_for_backup: bool | Unset = UNSET
    weight: float | Unset = UNSET
    in_slack_group: bool | Unset | None = UNSET
    joined_at: datetime.date | Unset = UNSET


# A change to these moves turns: the rotation is re-planned.
ROTATION_MEMBER_FIELDS = frozenset(
    {"is_eligible_for_oncall", "is_eligible_for_backup", "weight", "in_slack_group", "joined_at"}
)


@asks_slack_first
@transaction.atomic
def membership_upsert(
    *,
    team: Team,
    slack_user_id: str,
    actor: Actor | None,
    fields: MembershipFields | None = None,
) -> tuple[TeamMembership, bool]:
    """Add the member, or change their metadata; audited, and the rotation re-planned when
    turns may move. Returns the row and whether it was added, as update_or_create does:
    decided under the team lock, so of any number of calls at once exactly one adds."""
    return _membership_write(
        team=team, slack_user_id=slack_user_id, actor=actor, fields=fields, may_add=True
    )


@transaction.atomic
def membership_update(
    *, team: Team, slack_user_id: str, actor: Actor | None, fields: MembershipFields
) -> TeamMembership:
    """Change a member's metadata (the edit forms): NotFound when they are no member, so an
    edit that waited on a removal of the same member does not bring them back."""
    membership, _ = _membership_write(
        team=team, slack_user_id=slack_user_id, actor=actor, fields=fields, may_add=False
    )
    return membership


def _membership_write(
    *,
    team: Team,
    slack_user_id: str,
    actor: Actor | None,
    fields: MembershipFields | None,
    may_add: bool,
) -> tuple[TeamMembership, bool]:
    given = fields.given() if fields else {}
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    snapshot = before_roster_change(team)
    membership = TeamMembership.objects.filter(team=team, slack_user_id=slack_user_id).first()
    if membership is None:
        if not may_add:
            raise _not_a_member(team, slack_user_id)
        person = person_require(field="slack_user_id", slack_user_id=slack_user_id, actor=actor)
        given.setdefault("display_name", person.known_name)
        membership = TeamMembership(team=team, slack_user_id=slack_user_id)
        apply_changes(membership, given)
        changed = created_values(membership, ["slack_user_id", *MembershipFields.names()])
        action = AuditAction.CREATED
    else:
        changed = apply_changes(membership, given)
        action = AuditAction.UPDATED
        if not changed:
            return membership, False
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.TEAM_MEMBERSHIP,
            entity_id=membership.pk,
            action=action,
            actor=actor,
            team=team,
            changes=changed,
            engineer_slack_id=slack_user_id,
        )
    )
    if action == AuditAction.CREATED or ROTATION_MEMBER_FIELDS & set(changed):
        after_roster_change(team, actor, snapshot, f"membership:{entry.pk}")
    return membership, action == AuditAction.CREATED


def _not_a_member(team: Team, slack_user_id: str) -> NotFound:
    return NotFound(f"{person_label(slack_user_id)} is not a member of {team.name}.")


@transaction.atomic
def membership_remove(*, team: Team, slack_user_id: str, actor: Actor | None) -> None:
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    membership = TeamMembership.objects.filter(team=team, slack_user_id=slack_user_id).first()
    if membership is None:
        raise _not_a_member(team, slack_user_id)
    snapshot = before_roster_change(team)
    changes = deleted_values(membership, ["slack_user_id", *MembershipFields.names()])
    entity_id = membership.pk
    membership.delete()
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.TEAM_MEMBERSHIP,
            entity_id=entity_id,
            action=AuditAction.DELETED,
            actor=actor,
            team=team,
            changes=changes,
            engineer_slack_id=slack_user_id,
        )
    )
    after_roster_change(team, actor, snapshot, f"membership:{entry.pk}")


@transaction.atomic
def team_sync_members(
    *, team: Team, slack_members: list[str], actor: Actor | None
) -> dict[str, list[str]]:
    """Apply the Slack user group's member list: newcomers get a row with default metadata,
    members gone from the group keep their row (metadata preserved) but leave the rotation."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    snapshot = before_roster_change(team)
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
        [entry] = record(
            AuditEvent(
                entity_type=EntityType.TEAM_MEMBERSHIP,
                entity_id=team.pk,
                action=AuditAction.SYNCED_FROM_SLACK,
                actor=actor,
                team=team,
                changes={"members": {"old": sorted(rows), "new": sorted(in_group)}},
                metadata=outcome,
            )
        )
        after_roster_change(team, actor, snapshot, f"sync:{entry.pk}")
    return outcome
