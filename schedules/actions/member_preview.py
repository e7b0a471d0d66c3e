"""What a membership change would do to the rotation before it is saved: who would gain and
lose which shifts over the next periods, and whom the plan would pass over. Nothing is saved
and nobody is asked in Slack: the change is tried on the engine's state of each line, as
saving it re-plans them (the primary first, then the backup beside the primary's new plan)."""

import datetime
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from oncall_project.base.errors import InvalidInput, NotFound
from schedules import domain, lines
from schedules.actions.rotation import (
    BACKUP_LINE,
    RotationOutcome,
    as_saved,
    check_periods,
    horizon,
    plan_warnings,
    replan_impact,
)
from schedules.models import Role
from teams.models import Person, Team, TeamMembership
from teams.selectors import person_label

# Which membership field the engine's `is_eligible` reads, on the primary (False) and backup line.
ELIGIBLE = {False: "is_eligible_for_oncall", True: "is_eligible_for_backup"}


@dataclass(frozen=True)
class MemberChange:
    """One member added or changed (`fields`, as the membership write takes them), or removed."""

    slack_user_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    remove: bool = False


def member_change_preview(
    *,
    team: Team,
    periods: int,
    change: MemberChange,
    now: datetime.datetime | None = None,
    role: str = Role.PRIMARY,
) -> RotationOutcome:
    """The `role` line's next periods as they would be planned after `change`, whom it moves
    and whom it passes over; for the primary, the turns it would leave the backup line to
    nobody too ("Backup line: …"), as saving it says."""
    periods = check_periods(periods)
    now = now or timezone.now()
    members = _members_after(team, change, timezone.localdate(now))
    line = lines.line_settings(team, role)
    today = lines.line_today(team, role, now)
    until = horizon(team, today, periods, line)
    before = lines.line_state(team, role, today, until)
    on_primary = role == Role.PRIMARY
    primary, primary_today = _primary_after(team, now, members, periods if on_primary else None)
    if on_primary:
        after = primary
    else:
        if team.rotation_enabled:  # the backup keeps clear of the primary's new plan
            primary = domain.replan(primary, primary_today, team.lookahead_periods).state
        beside = lines.backup_beside(team, primary, now, members, periods)
        after = beside[0] if beside else replace(before, members=members(before.members, True))
    replan = domain.replan(after, today, periods)
    planned, warnings = plan_warnings(after, replan, today, periods)
    left = lines.backup_unfilled_beside(team, replan.state, now, members) if on_primary else None
    if left:
        warnings += (BACKUP_LINE + left,)
    impact = replan_impact(before, replan, today, until)
    return RotationOutcome(as_saved(replan, planned), impact, warnings=warnings)


def _primary_after(
    team: Team, now: datetime.datetime, members: lines.MembersChange, periods: int | None
) -> tuple[domain.TeamState, datetime.date]:
    """The primary line with the members changed, to plan `periods` (default its lookahead)
    from its on-call date: its turns replay from the start (no checkpoint was made for these
    people)."""
    today = lines.line_today(team, Role.PRIMARY, now)
    until = horizon(team, today, periods or team.lookahead_periods)
    state = lines.line_state(team, Role.PRIMARY, today, until, checkpoint=False)
    return replace(state, members=members(state.members, False)), today


def _members_after(team: Team, change: MemberChange, today: datetime.date) -> lines.MembersChange:
    """Checked as the write checks it; a function giving either line's members after it."""
    row = TeamMembership.objects.filter(team=team, slack_user_id=change.slack_user_id).first()
    if row is None and change.remove:
        raise NotFound(f"{person_label(change.slack_user_id)} is not a member of {team.name}.")
    if row is None:  # named as saving would name them: by the directory's name
        name = _known(change.slack_user_id).known_name
        row = TeamMembership(
            team=team, slack_user_id=change.slack_user_id, joined_at=today, display_name=name
        )
    for name, value in change.fields.items():
        setattr(row, name, value)
    try:
        row.full_clean(exclude=["team"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc

    def members(current: tuple[domain.Member, ...], backup: bool) -> tuple[domain.Member, ...]:
        if change.remove:
            return tuple(m for m in current if m.slack_user_id != row.slack_user_id)
        names = {m.slack_user_id: m.display_name for m in current}
        moved = domain.Member(
            slack_user_id=row.slack_user_id,
            joined_at=row.joined_at,
            is_eligible=getattr(row, ELIGIBLE[backup]),
            weight=row.weight,
            in_slack_group=row.in_slack_group,
            display_name=names.get(row.slack_user_id, row.display_name),
            role=row.team_role,
        )
        after = [moved if m.slack_user_id == row.slack_user_id else m for m in current]
        if row.slack_user_id not in names:
            after.append(moved)
        return tuple(after)  # the engine orders them (by joined_at, then id)

    return members


def _known(slack_user_id: str) -> Person:
    """A preview asks nobody in Slack: someone new to the team must be in the directory."""
    person = Person.objects.filter(slack_user_id=slack_user_id, is_active=True).first()
    if person is None:
        message = (
            f"{slack_user_id} is not in the people directory: adding them as a member looks "
            "them up in Slack first."
        )
        raise InvalidInput(message, {"slack_user_id": [message]})
    return person
