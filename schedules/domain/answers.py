"""What the on-call engine answers: frozen dataclasses, each carrying its `source`."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Source(StrEnum):
    """Which layer gave an answer, highest first."""

    OVERRIDE = "override"
    SCHEDULE = "schedule"
    ROTATION = "rotation"
    TEAM_DEFAULT = "team_default"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who is on call on one on-call date, and which layer says so (engineer None: a gap)."""

    engineer: str | None
    source: Source
    on_call_date: date


@dataclass(frozen=True, slots=True)
class ResolvedPeriod:
    """A run of consecutive on-call dates with the same engineer and source."""

    engineer: str | None
    source: Source
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class OnCallAnswer:
    """Who is on call at an instant, and for how long.

    `from_date`..`until_date` is the run of on-call dates with the same engineer and source
    (looked for at most 366 days each way); `starts_at`/`ends_at` are the handoff instants that
    open and close it, in the team's time zone. A run still going at the edge of that search
    is open there (`open_start`, `open_end`): `since`/`until` are then None, "until further
    notice", rather than a date nothing happens on.
    """

    engineer: str | None
    source: Source
    on_call_date: date
    starts_at: datetime
    ends_at: datetime
    from_date: date
    until_date: date
    open_start: bool = False
    open_end: bool = False

    @property
    def since(self) -> datetime | None:
        return None if self.open_start else self.starts_at

    @property
    def until(self) -> datetime | None:
        return None if self.open_end else self.ends_at


@dataclass(frozen=True, slots=True)
class RotationPeriod:
    """Rotation period `index` (0 = the one starting at the anchor), dates inclusive."""

    index: int
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class PlannedPeriod:
    """The engineer the rotation gives a period.

    None when every candidate is unavailable for it, or when it is a period the rotation has
    already passed without recording a turn (see `rotation`).
    """

    index: int
    start_date: date
    end_date: date
    engineer: str | None
