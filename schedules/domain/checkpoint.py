"""Checkpoints of the rotation: its state at the start of a period, made by whoever plans the
rotation (the handoff, a re-plan) and handed back to the engine with the spans from then on.

An answer from a checkpoint is the answer from the anchor: the checkpoint holds exactly the
state the replay reaches at its period, and is used only while it matches the rotation
(`roster.rotation_fingerprint`) and while no turn before it is needed that the schedules do not
record (`checkpoint_fits`). Dated spans before it that change afterwards are the writers' to
report: they drop the stored checkpoint.
"""

from dataclasses import replace
from datetime import date, timedelta

from .layers import day_layers
from .model import Checkpoint, RotationType, TeamState
from .periods import anchor, period_by_index, period_index, period_of
from .roster import rotation_fingerprint
from .rotation import matching_checkpoint, recorded_turns, replay, rotating_roster
from .turns import Turns


def _last_hole(state: TeamState, records: dict[int, str], first: int, last: int) -> int | None:
    """The last period from `first` to `last` that has no recorded turn yet a day nothing else
    covers: resolving it needs the replay from the anchor."""
    if last < first:
        return None
    start = period_by_index(state.config, first).start_date
    layers = day_layers(state, start, period_by_index(state.config, last).end_date)
    length = (layers.last - layers.first + 1) // (last - first + 1)
    for index in range(last, first - 1, -1):
        if index in records:
            continue
        at = (index - first) * length
        if any(o is None and s is None for o, s in _days(layers, at, at + length)):
            return index
    return None


def _days(layers, start: int, end: int):
    return zip(layers.overrides[start:end], layers.schedules[start:end], strict=True)


def checkpoint_at(state: TeamState, index: int) -> Checkpoint | None:
    """The rotation's state at the start of period `index` (from the state's own checkpoint
    when it matches and is not later, else from the anchor); None when the rotation does not
    run or `index` is not after the anchor."""
    team = rotating_roster(state)
    if team is None or index <= 0:
        return None
    records = recorded_turns(state)
    held = matching_checkpoint(state, team)
    if held is not None and held.index > index:
        held = None
    _, after = replay(state, team, records, held, index - 1)
    first = held.index if held else 0
    hole = _last_hole(state, records, first, index - 1)
    if hole is not None:
        clean_from = period_by_index(state.config, hole + 1).start_date
    else:
        clean_from = held.clean_from if held else anchor(state.config)
    if isinstance(after, Turns):
        kept = {"pointer": after.pointer, "owed": tuple(after.owed)}
    else:
        kept = after.snapshot()
    return Checkpoint(
        index=index,
        start=period_by_index(state.config, index).start_date,
        clean_from=clean_from,
        fingerprint=held.fingerprint if held else rotation_fingerprint(state, team),
        **kept,
    )


def settled_index(state: TeamState, today: date) -> int | None:
    """The latest period a checkpoint may be made at on `today`: the one holding it — for a
    weighted rotation not after the day after the ledger's last (a day the ledger does not hold
    yet may still be recorded otherwise than planned, and the weighted rotation counts the
    ledger's days). None before the anchor, or for a weighted rotation with no ledger yet."""
    if state.config.rotation_type == RotationType.WEIGHTED:
        last = max((shift.on_call_date for shift in state.history), default=None)
        if last is None:
            return None
        today = min(today, last + timedelta(days=1))
    period = period_of(state.config, today)
    return period.index if period is not None else None


def checkpoint_fits(state: TeamState, since: date) -> bool:
    """Whether the state's checkpoint serves every resolve from `since` on, and every plan from
    its own period on, with spans loaded only from the start of the period holding `since` (or
    its own, if earlier): it matches the rotation, and every period from `since` to it has a
    recorded turn or needs none."""
    team = rotating_roster(state)
    if team is None:
        return True
    held = matching_checkpoint(state, team)
    if held is None:
        return False
    first = max(period_index(state.config, since), 0)
    return _last_hole(state, recorded_turns(state), first, held.index - 1) is None


def loaded_from(state: TeamState, since: date) -> TeamState:
    """`state` with only the spans a selector loads beside its checkpoint to resolve from
    `since` on: those reaching the start of the period holding `since` (or the checkpoint's,
    if earlier), and the ledger from there."""
    held = state.checkpoint
    lower = since if held is None else min(since, held.start)
    period = period_of(state.config, lower)
    lower = period.start_date if period is not None else lower

    def kept(spans):
        return tuple(span for span in spans if span.end_date >= lower)

    return replace(
        state,
        schedules=kept(state.schedules),
        overrides=kept(state.overrides),
        unavailability=kept(state.unavailability),
        history=tuple(shift for shift in state.history if shift.on_call_date >= lower),
    )
