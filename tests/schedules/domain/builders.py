"""Small builders for engine inputs: plain frozen dataclasses, no database."""

from dataclasses import replace
from datetime import date, timedelta

from schedules.domain import Member, PlannedPeriod, TeamConfig, TeamState

MONDAY = date(2026, 3, 2)
JOINED = date(2025, 1, 1)


def day(n: int) -> date:
    """The date `n` days after MONDAY."""
    return MONDAY + timedelta(days=n)


def members(*ids: str, **fields) -> tuple[Member, ...]:
    """Members joined in the order given (so round robin keeps that order)."""
    return tuple(
        Member(slack_id, joined_at=JOINED + timedelta(days=n), **fields)
        for n, slack_id in enumerate(ids)
    )


def rotation(**fields) -> TeamConfig:
    """A weekly round robin from MONDAY, handing off on Mondays at 09:00 UTC."""
    values = dict(
        rotation_enabled=True,
        rotation_start_date=MONDAY,
        handoff_day=0,
        rotation_interval="weekly",
    )
    values.update(fields)
    return TeamConfig(**values)


def team(config: TeamConfig | None = None, **fields) -> TeamState:
    return TeamState(config or rotation(), **fields)


def with_config(state: TeamState, **fields) -> TeamState:
    return replace(state, config=replace(state.config, **fields))


def engineers(planned: list[PlannedPeriod]) -> list[str | None]:
    return [p.engineer for p in planned]
