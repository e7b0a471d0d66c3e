"""What a rotation preview warns about: a rotation that plans nobody, turns nobody can take,
and people its order names whom the rotation will skip."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from .answers import PlannedPeriod
from .model import RotationType, TeamConfig, TeamState
from .roster import candidates, roster
from .wording import days_text

OFF = "The rotation is off: it plans nobody until it is turned on."
NOBODY = (
    "Nobody can take a turn (no member is eligible for on-call, or in the order): the team "
    "falls back to its default engineer."
)
SHOWN_TURNS = 3  # turns nobody can take named in a warning; the rest counted


def rotation_warnings(
    state: TeamState,
    config: TeamConfig,
    start: date,
    end: date,
    planned: Sequence[PlannedPeriod] = (),
) -> tuple[str, ...]:
    """One line per person the rotation (under `config`) would pass over between `start` and
    `end`: not eligible, gone from the team's Slack group, or away some of those days; first,
    why it plans nobody at all, where it does not, or which of the `planned` turns nobody
    can take."""
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
                    f"{who} is away {days_text(away.start_date, away.end_date)}: the rotation "
                    "skips them on those days."
                )
    planning = replace(state, config=config)
    if not candidates(planning):
        warnings.insert(0, NOBODY)
    elif unfilled := unfilled_turns(planning, planned):
        warnings.insert(0, unfilled)
    return tuple(warnings)


def unfilled_turns(state: TeamState, planned: Sequence[PlannedPeriod]) -> str | None:
    """Why the `planned` turns every candidate is away for some day of go to nobody, or None
    where there are none. For a backup line whose candidates are kept off by the primary's
    days, that is a clash of the two lines' periods: the fix is in its settings."""
    team = roster(state)
    unfilled = [
        turn
        for turn in planned
        if turn.engineer is None
        and team.away_during(turn.start_date.toordinal(), turn.end_date.toordinal())
        >= set(team.candidates)
    ]
    if not unfilled:
        return None
    turns = ("turn " if len(unfilled) == 1 else "turns ") + ", ".join(
        days_text(t.start_date, t.end_date) for t in unfilled[:SHOWN_TURNS]
    )
    if len(unfilled) > SHOWN_TURNS:
        turns += f" and {len(unfilled) - SHOWN_TURNS} more"
    kept_off = any(
        away.on_other_line and away.start_date <= turn.end_date and away.end_date >= turn.start_date
        for turn in unfilled
        for away in state.unavailability
    )
    if kept_off:
        return (
            f"Nobody can take the {turns}: each candidate is the primary (or away) on some "
            "day of it, as the primary hands off inside this line's periods. Hand this line "
            "off on the primary's day and at its time, or add members."
        )
    return (
        f"Nobody can take the {turns}: each candidate is away some day of it. The line "
        "falls back to its default engineer then."
    )
