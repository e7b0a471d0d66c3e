"""Benchmark of the pure on-call engine (no Django): plan, resolve a year, who is on call.

Run: .venv/bin/python bench/bench_engine.py
Targets: plan 52 weekly periods for a weighted team of 50 <= 10 ms; resolve 365 days with
~100 schedules and overrides <= 20 ms; who is on call at one instant well under that. A daily
weighted rotation started 10 years back, from its checkpoint and the spans a selector loads
with it (a year back): who is on call at one instant <= 1 ms, a 365-day resolve <= 10 ms —
whatever the rotation's age. The last line says whether every target was met (exit status 0
either way).
"""

import random
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_aged import aged_daily_team
from bench.targets import Targets, median_ms
from schedules.domain import (
    Member,
    OverrideSpan,
    ScheduleSpan,
    Shift,
    TeamConfig,
    TeamState,
    Unavailability,
    plan,
    resolve_range,
    who_is_on_call,
)

TODAY = date(2026, 6, 1)  # a Monday
MEMBERS = 50
REPEATS = 30


def _members(rng: random.Random) -> list[Member]:
    return [
        Member(
            slack_user_id=f"U{n:04d}",
            joined_at=TODAY - timedelta(days=rng.randint(0, 720)),
            weight=rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]),
            in_slack_group=rng.choice([True, True, True, None]),
        )
        for n in range(MEMBERS)
    ]


def _schedules(rng: random.Random, ids: list[str]) -> list[ScheduleSpan]:
    """Four weeks of auto schedules from today, then manual ones (weekly and daily)."""
    spans = [
        ScheduleSpan(
            ids[n], TODAY + timedelta(weeks=n), TODAY + timedelta(weeks=n, days=6), origin="auto"
        )
        for n in range(4)
    ]
    for n in range(4, 64):
        start = TODAY + timedelta(weeks=n)
        if rng.random() < 0.5:
            spans.append(ScheduleSpan(rng.choice(ids), start, start + timedelta(days=6)))
        else:
            spans.append(
                ScheduleSpan(
                    rng.choice(ids),
                    start,
                    start + timedelta(days=6),
                    schedule_type="daily",
                    days_of_week=(0, 1, 2, 3, 4),
                )
            )
    return spans


def _overrides(rng: random.Random, ids: list[str]) -> list[OverrideSpan]:
    starts = sorted(rng.sample(range(-30, 365), 40))
    return [
        OverrideSpan(rng.choice(ids), TODAY + timedelta(days=s), TODAY + timedelta(days=s))
        for s in starts
    ]


def team_state(seed: int = 7) -> TeamState:
    rng = random.Random(seed)
    members = _members(rng)
    ids = [m.slack_user_id for m in members]
    config = TeamConfig(
        timezone="Europe/Berlin",
        handoff_time=time(9, 0),
        handoff_day=0,
        rotation_enabled=True,
        rotation_type="weighted",
        rotation_interval="weekly",
        rotation_start_date=TODAY - timedelta(days=364),
        default_engineer=ids[0],
    )
    history = [Shift(rng.choice(ids), TODAY - timedelta(days=d)) for d in range(1, 366)]
    away = [
        Unavailability(rng.choice(ids), TODAY + timedelta(days=s), TODAY + timedelta(days=s + 9))
        for s in rng.sample(range(-60, 365), 30)
    ]
    return TeamState(
        config,
        tuple(members),
        tuple(_schedules(rng, ids)),
        tuple(_overrides(rng, ids)),
        tuple(away),
        tuple(history),
    )


def _cases(state: TeamState) -> list[tuple[str, float, Callable[[], object]]]:
    autos = tuple(s for s in state.schedules if s.origin == "auto")
    ticking = replace(state, schedules=autos, overrides=())
    fresh = replace(state, schedules=(), overrides=())
    daily = replace(
        state,
        config=replace(
            state.config,
            rotation_interval="daily",
            rotation_start_date=TODAY - timedelta(days=3 * 365),
        ),
    )
    at = datetime(2026, 6, 10, 12, tzinfo=UTC)
    year = (TODAY, TODAY + timedelta(days=364))
    spans = len(state.schedules) + len(state.overrides)
    return [
        (
            "plan 52 weekly, weighted, 50 members, 4 weeks recorded",
            10.0,
            lambda: plan(ticking, TODAY, 52),
        ),
        (
            "plan 52 weekly, weighted, 50 members, from a year back",
            10.0,
            lambda: plan(fresh, TODAY, 52),
        ),
        (
            f"resolve 365 days, {spans} schedules/overrides, weighted",
            20.0,
            lambda: resolve_range(state, *year),
        ),
        ("who is on call at one instant (same team)", 20.0, lambda: who_is_on_call(state, at)),
        (
            "resolve 365 days, daily weighted from 3 years back",
            50.0,
            lambda: resolve_range(daily, *year),
        ),
        *_aged_cases(state, year),
    ]


def _aged_cases(state: TeamState, year) -> list[tuple[str, float, Callable[[], object]]]:
    aged = aged_daily_team(state, TODAY, years=10)
    at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    return [
        (
            "10-year-old daily weighted, checkpoint: one instant",
            1.0,
            lambda: who_is_on_call(aged, at),
        ),
        (
            "10-year-old daily weighted, checkpoint: resolve 365 days",
            10.0,
            lambda: resolve_range(aged, *year),
        ),
    ]


def main() -> None:
    state = team_state()
    print(
        f"{len(state.members)} members, {len(state.history)} ledger days, "
        f"{len(state.schedules)} schedules, {len(state.overrides)} overrides, "
        f"{len(state.unavailability)} unavailabilities; median of {REPEATS} runs"
    )
    targets = Targets("engine")
    for label, target, work in _cases(state):
        median = median_ms(work, REPEATS)
        targets.check(label, f"{median:.2f} ms", f"<= {target:g} ms", median <= target)
    targets.done()


if __name__ == "__main__":
    main()
