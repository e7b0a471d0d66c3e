"""What a rotation preview warns about: a rotation that plans nobody, and people its order
names whom the rotation will skip."""

from dataclasses import replace
from datetime import date

from .model import RotationType, TeamConfig, TeamState
from .roster import candidates

OFF = "The rotation is off: it plans nobody until it is turned on."
NOBODY = (
    "Nobody can take a turn (no member is eligible for on-call, or in the order): the team "
    "falls back to its default engineer."
)


def rotation_warnings(
    state: TeamState, config: TeamConfig, start: date, end: date
) -> tuple[str, ...]:
    """One line per person the rotation (under `config`) would pass over between `start` and
    `end`: not eligible, gone from the team's Slack group, or away some of those days; first,
    why it plans nobody at all, where it does not."""
    if not config.rotation_enabled:
        return (OFF,)
    members = {m.slack_user_id: m for m in state.members}
    if config.rotation_type == RotationType.CUSTOM_ORDER:
        order = [x for x in config.rotation_order if x in members]
    else:
        order = list(members)
    warnings: list[str] = []
    for slack_id in order:
        member = members[slack_id]
        who = f"{member.display_name} ({slack_id})" if member.display_name else slack_id
        if not member.is_eligible:
            warnings.append(f"{who} is not eligible for on-call: the rotation skips them.")
        elif member.in_slack_group is False:
            warnings.append(f"{who} has left the team's Slack group: the rotation skips them.")
        for away in state.unavailability:
            if away.on_other_line:  # a backup line skipping the primary's days is its design
                continue
            if away.slack_user_id == slack_id and away.start_date <= end and away.end_date >= start:
                warnings.append(
                    f"{who} is away {away.start_date} to {away.end_date}: the rotation skips "
                    "them on those days."
                )
    if not candidates(replace(state, config=config)):
        warnings.insert(0, NOBODY)
    return tuple(warnings)
