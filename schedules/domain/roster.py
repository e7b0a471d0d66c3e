"""Who takes rotation turns, in which order, and who is unavailable when.

Candidates are eligible members minus those a Slack sync found gone from the team's group
(`in_slack_group` False); never synced (None), or a team without a Slack group, counts them.
- round_robin and weighted: members ordered by `joined_at`, then Slack id;
- custom_order: `rotation_order`, keeping only ids that are candidate members (an id with no
  membership row is dropped: eligibility lives on the membership). Eligible members missing
  from the list take no turns.

Weights are relative shares, read within `WEIGHT_RANGE`: an absurd one (infinite, or so large
that the sum of a team's weights overflows) counts as the largest, so the weighted rotation's
fair shares stay finite numbers whatever it is given.
"""

import hashlib
import math
from dataclasses import dataclass, fields

from .model import Member, RotationType, TeamState

WEIGHT_RANGE = (1e-6, 1e6)


def rotation_weight(weight: float) -> float:
    """`weight` within WEIGHT_RANGE; a non-finite one is the largest."""
    low, high = WEIGHT_RANGE
    if not math.isfinite(weight):
        return high
    return min(max(weight, low), high)


def _is_candidate(member: Member, has_slack_group: bool) -> bool:
    gone = has_slack_group and member.in_slack_group is False
    return member.is_eligible and not gone


def _members_by_id(state: TeamState) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for member in state.members:
        members.setdefault(member.slack_user_id, member)
    return members


def _order(state: TeamState, members: dict[str, Member]) -> tuple[str, ...]:
    """Every id a turn can be counted from, in rotation order (candidates or not)."""
    if state.config.rotation_type == RotationType.CUSTOM_ORDER:
        return state.config.rotation_order
    ranked = sorted(members.values(), key=lambda m: (m.joined_at, m.slack_user_id))
    return tuple(member.slack_user_id for member in ranked)


@dataclass(frozen=True, slots=True)
class Roster:
    """A team's rotation candidates with what the strategies need, dates as ordinals."""

    order: tuple[str, ...]
    candidates: tuple[str, ...]
    weights: dict[str, float]
    joined: dict[str, int]
    unavailable: tuple[tuple[int, int, str], ...]

    def away_during(self, first: int, last: int) -> set[str]:
        """Who is unavailable on some day from ordinal `first` to `last`."""
        return {who for start, end, who in self.unavailable if start <= last and end >= first}

    def available(self, engineer: str, first: int, last: int) -> bool:
        """Whether `engineer` is available every day from ordinal `first` to `last`."""
        return not any(
            who == engineer and start <= last and end >= first
            for start, end, who in self.unavailable
        )


def roster(state: TeamState) -> Roster:
    members = _members_by_id(state)
    has_group = state.config.has_slack_group
    order = _order(state, members)
    candidates = tuple(
        slack_id
        for slack_id in order
        if slack_id in members and _is_candidate(members[slack_id], has_group)
    )
    unavailable = tuple(
        (entry.start_date.toordinal(), entry.end_date.toordinal(), entry.slack_user_id)
        for entry in state.unavailability
        if entry.slack_user_id in candidates
    )
    return Roster(
        order=order,
        candidates=candidates,
        weights={c: rotation_weight(members[c].weight) for c in candidates},
        joined={c: members[c].joined_at.toordinal() for c in candidates},
        unavailable=unavailable,
    )


def candidates(state: TeamState) -> tuple[str, ...]:
    """The Slack ids that take rotation turns, in rotation order."""
    return roster(state).candidates


def rotation_fingerprint(state: TeamState, team: Roster | None = None) -> str:
    """A digest of everything but dated spans that decides the line's turns and answers: its
    settings (all of them: the backup line also reads the primary's default and handoff), who
    takes turns in which order with which weight since when, and the primary it keeps clear
    of. A checkpoint made under another digest is not used."""
    team = team or roster(state)
    config = state.config
    settings = [str(getattr(config, f.name)) for f in fields(config)]
    people = [(c, team.weights[c], team.joined[c]) for c in team.candidates]
    text = repr((1, settings, team.order, people, state.keeps_clear_of))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
