"""What a batch of handoffs (both lines) gathers before writing, what it answers, and which
on-call dates a line's handoff records (the primary's on the team, the backup's on its
`BackupLine`): from the day after its last handoff to today, at most a month back."""

import datetime
from dataclasses import dataclass, field

from schedules.models import Role

# A worker down for longer than this does not fill in the ledger day by day from that far back.
MAX_CATCH_UP_DAYS = 31


def days_to_record(line, today: datetime.date) -> list[datetime.date]:
    """`line` is a team or a backup line: anything with `last_handoff_date`."""
    first = today
    if line.last_handoff_date is not None:
        first = line.last_handoff_date + datetime.timedelta(days=1)
    first = max(first, today - datetime.timedelta(days=MAX_CATCH_UP_DAYS))
    return [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]


@dataclass(frozen=True)
class HandoffOutcome:
    team_id: object
    recorded: list[datetime.date] = field(default_factory=list)
    engineer: str | None = None
    previous: str | None = None
    role: str = Role.PRIMARY


@dataclass
class Writes:
    """Everything a batch will insert or update, gathered before one write per table."""

    records: list = field(default_factory=list)
    audit: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    schedules: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    lines: list = field(default_factory=list)
