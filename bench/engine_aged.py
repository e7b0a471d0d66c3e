"""An old rotation for the engine benchmark: daily, weighted, started years back, every past
period materialised as the handoff does, with the checkpoint its last handoff kept — and only
the spans a selector loads beside that checkpoint (a year back from today)."""

from dataclasses import replace
from datetime import date, timedelta

from schedules.domain import (
    Shift,
    TeamState,
    auto_schedules,
    checkpoint_at,
    checkpoint_fits,
    loaded_from,
    plan,
    resolve_range,
)
from schedules.domain.periods import period_index

LOOKAHEAD = 4
LOADED_DAYS = 367  # what `schedules.selectors.window` loads before the first date asked


def _whole(state: TeamState, today: date, years: int) -> TeamState:
    """`state`'s people, manual spans and time away on a daily weighted rotation from `years`
    back, its past and next `LOOKAHEAD` days recorded as auto schedules and its past in the
    ledger, as years of handoffs leave it."""
    start = today - timedelta(days=365 * years)
    config = replace(state.config, rotation_interval="daily", rotation_start_date=start)
    manual = tuple(s for s in state.schedules if s.origin != "auto")
    base = replace(state, config=config, schedules=manual, history=())
    periods = period_index(config, today) + LOOKAHEAD
    autos = auto_schedules(base, plan(base, start, periods))
    whole = replace(base, schedules=base.schedules + tuple(autos))
    ledger = resolve_range(whole, start, today - timedelta(days=1))
    return replace(
        whole, history=tuple(Shift(a.engineer, a.on_call_date) for a in ledger if a.engineer)
    )


def aged_daily_team(state: TeamState, today: date, years: int) -> TeamState:
    """The team as a lookup today sees it: the checkpoint of today's handoff, the spans of the
    last year and ahead. Checked once against the replay from the anchor."""
    whole = _whole(state, today, years)
    checkpoint = checkpoint_at(whole, period_index(whole.config, today))
    since = today - timedelta(days=LOADED_DAYS)
    loaded = loaded_from(replace(whole, checkpoint=checkpoint), since)
    year = (today, today + timedelta(days=364))
    if not checkpoint_fits(loaded, since) or resolve_range(loaded, *year) != resolve_range(
        whole, *year
    ):
        raise SystemExit("bench-engine: the checkpoint changed an answer")
    return loaded
