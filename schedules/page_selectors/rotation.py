"""What the rotation preview warns about: people in the custom order who will not take a turn,
and members away during the periods shown (the rotation skips them for those periods)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from teams.models import RotationType, Team, TeamMembership, Unavailability


@dataclass(frozen=True)
class RotationWarning:
    slack_user_id: str
    text: str


def _order_warnings(team: Team, order: list[str], members: dict) -> list[RotationWarning]:
    warnings = []
    for slack_user_id in order:
        member = members.get(slack_user_id)
        if member is None:
            text = f"is not a member of {team.name}: the rotation skips them."
        elif not member.is_eligible_for_oncall:
            text = "is not eligible for on-call: the rotation skips them."
        elif member.in_slack_group is False:
            text = "left the team's Slack group: the rotation skips them."
        else:
            continue
        warnings.append(RotationWarning(slack_user_id, text))
    return warnings


def rotation_warnings(
    team: Team, rotation_type: str, order: list[str], start: datetime.date, end: datetime.date
) -> list[RotationWarning]:
    """Two queries: the members, and time away from `start` to `end`."""
    members = {m.slack_user_id: m for m in TeamMembership.objects.filter(team=team)}
    warnings = []
    if rotation_type == RotationType.CUSTOM_ORDER:
        warnings = _order_warnings(team, order, members)
    away = Unavailability.objects.filter(
        Q(team=team) | Q(team__isnull=True),
        slack_user_id__in=list(members),
        start_date__lte=end,
        end_date__gte=start,
    ).order_by("start_date", "slack_user_id")
    warnings += [
        RotationWarning(
            a.slack_user_id,
            f"is away {a.start_date:%a %-d %b} – {a.end_date:%a %-d %b}: "
            "the next person takes their turn.",
        )
        for a in away
    ]
    return warnings
