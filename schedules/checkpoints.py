"""The rotation checkpoint of a line, kept on its row (`RotationFields.rotation_checkpoint`):
read with the line's settings (no query of its own), made by whoever plans the line — the
handoff, a re-plan — at the period holding the line's today."""

import datetime
from dataclasses import replace

from schedules import domain
from teams.rotation_fields import RotationFields


def held(line: RotationFields) -> domain.Checkpoint | None:
    """The line's stored checkpoint, None when it has none (or an unreadable one)."""
    if not line.rotation_checkpoint:
        return None
    return domain.Checkpoint.from_json(line.rotation_checkpoint)


def memory_from(line: RotationFields, lower: datetime.date) -> datetime.date | None:
    """The first date a line's rotation memory must be loaded from to resolve from `lower` on:
    its checkpoint's period when every turn it could need from `lower` on is recorded, else
    its start date (None: the rotation keeps no memory)."""
    if not line.rotation_enabled or line.rotation_start_date is None:
        return None
    checkpoint = held(line)
    if checkpoint is None or checkpoint.clean_from > lower:
        return line.rotation_start_date
    return checkpoint.start


def recorded(state: domain.TeamState, assignments: list[domain.Assignment]) -> domain.TeamState:
    """The state with the ledger days a handoff writes now (those it did not hold)."""
    known = {shift.on_call_date for shift in state.history}
    shifts = tuple(
        domain.Shift(a.engineer, a.on_call_date)
        for a in assignments
        if a.engineer and a.on_call_date not in known
    )
    return replace(state, history=state.history + shifts)


def keep(line: RotationFields, state: domain.TeamState, today: datetime.date) -> bool:
    """Move the line's checkpoint (on the row in hand) up to the latest period it may be made
    at on `today` (`domain.settled_index`), from `state` (loaded as the selectors load it);
    whether it changed. One the state holds for this rotation at that period or later stays
    (a state loaded from it holds no spans before it to go back with)."""
    index = domain.settled_index(state, today)
    current = state.checkpoint
    if (
        current is not None
        and (index is None or current.index >= index)
        and current.fingerprint == domain.rotation_fingerprint(state)
    ):
        return False
    checkpoint = domain.checkpoint_at(state, index) if index is not None else None
    stored = checkpoint.as_json() if checkpoint is not None else None
    if stored == line.rotation_checkpoint:
        return False
    line.rotation_checkpoint = stored
    line.rotation_checkpoint_start = checkpoint.start if checkpoint is not None else None
    return True


def save(line: RotationFields) -> None:
    """Write the line's checkpoint as set on the row in hand (bookkeeping: no row version)."""
    type(line).objects.filter(pk=line.pk).update(
        rotation_checkpoint=line.rotation_checkpoint,
        rotation_checkpoint_start=line.rotation_checkpoint_start,
    )
