"""What the on-call engine is given: a team's configuration, members, spans and history.

Every input is a frozen dataclass a selector fills from the ORM. Choice fields accept plain
strings and are stored as `StrEnum` members, which compare equal to those strings.
"""

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from .clock import zone
from .errors import DomainError


class RotationType(StrEnum):
    ROUND_ROBIN = "round_robin"
    CUSTOM_ORDER = "custom_order"
    WEIGHTED = "weighted"


class RotationInterval(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class ScheduleType(StrEnum):
    WEEKLY = "weekly"
    DAILY = "daily"


class Origin(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


class OverrideStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


def _choice(obj, name: str, kind: type[StrEnum]) -> None:
    value = getattr(obj, name)
    try:
        object.__setattr__(obj, name, kind(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise DomainError(f"{name} must be one of {allowed}, not {value!r}.") from None


def _dates_ordered(obj) -> None:
    if obj.end_date < obj.start_date:
        raise DomainError(f"The end date {obj.end_date} is before the start date {obj.start_date}.")


def _weekday(value: int, name: str) -> None:
    if not 0 <= value <= 6:
        raise DomainError(f"{name} must be 0 (Monday) to 6 (Sunday), not {value!r}.")


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """A team's on-call settings. `default_engineer` is the team's `oncall_engineer`."""

    timezone: str = "UTC"
    handoff_time: time = time(9, 0)
    handoff_day: int | None = None
    rotation_enabled: bool = False
    rotation_type: RotationType = RotationType.ROUND_ROBIN
    rotation_order: tuple[str, ...] = ()
    rotation_interval: RotationInterval = RotationInterval.WEEKLY
    rotation_start_date: date | None = None
    default_engineer: str | None = None
    has_slack_group: bool = True

    def __post_init__(self) -> None:
        zone(self.timezone)
        _choice(self, "rotation_type", RotationType)
        _choice(self, "rotation_interval", RotationInterval)
        object.__setattr__(self, "rotation_order", tuple(dict.fromkeys(self.rotation_order)))
        if self.handoff_day is not None:
            _weekday(self.handoff_day, "handoff_day")


@dataclass(frozen=True, slots=True)
class Member:
    """A team member's on-call metadata. `in_slack_group` None: no Slack sync has seen them."""

    slack_user_id: str
    joined_at: date
    is_eligible: bool = True
    weight: float = 1.0
    in_slack_group: bool | None = None
    display_name: str = ""
    role: str = "member"

    def __post_init__(self) -> None:
        if not self.weight > 0:
            raise DomainError(f"The weight of {self.slack_user_id} must be above 0.")


@dataclass(frozen=True, slots=True)
class ScheduleSpan:
    """A schedule: `engineer` on call from `start_date` to `end_date` inclusive.

    A `daily` schedule covers only its `days_of_week` (0 = Monday); one with no days covers
    nothing.
    """

    engineer: str
    start_date: date
    end_date: date
    schedule_type: ScheduleType = ScheduleType.WEEKLY
    days_of_week: tuple[int, ...] = ()
    origin: Origin = Origin.MANUAL
    id: object = None

    def __post_init__(self) -> None:
        _dates_ordered(self)
        _choice(self, "schedule_type", ScheduleType)
        _choice(self, "origin", Origin)
        days = tuple(sorted(set(self.days_of_week)))
        for day in days:
            _weekday(day, "days_of_week")
        object.__setattr__(self, "days_of_week", days)

    def covers(self, day: date) -> bool:
        if not self.start_date <= day <= self.end_date:
            return False
        return self.schedule_type == ScheduleType.WEEKLY or day.weekday() in self.days_of_week


@dataclass(frozen=True, slots=True)
class OverrideSpan:
    """An override: `engineer` covers every day from `start_date` to `end_date` inclusive."""

    engineer: str
    start_date: date
    end_date: date
    status: OverrideStatus = OverrideStatus.APPROVED
    replaces: str | None = None
    id: object = None

    def __post_init__(self) -> None:
        _dates_ordered(self)
        _choice(self, "status", OverrideStatus)

    @property
    def is_approved(self) -> bool:
        return self.status == OverrideStatus.APPROVED


@dataclass(frozen=True, slots=True)
class Unavailability:
    """`slack_user_id` cannot be on call on any day from `start_date` to `end_date` inclusive."""

    slack_user_id: str
    start_date: date
    end_date: date
    on_other_line: bool = False  # the primary's own days, for the backup line: not time away

    def __post_init__(self) -> None:
        _dates_ordered(self)


@dataclass(frozen=True, slots=True)
class Shift:
    """One ledger entry: `engineer` really was on call on `on_call_date`."""

    engineer: str
    on_call_date: date


@dataclass(frozen=True, slots=True)
class TeamState:
    """Everything the engine needs to answer for one team — six queries for a selector.

    - `members`: every membership row, plus Slack-group members without one (with defaults).
    - `schedules`: the team's schedules. The rotation replays its `auto` schedules from the
      anchor (see `rotation`), so load them from `rotation_start_date` or at least a year back,
      and every future one. `overrides`: only approved ones count; others are ignored.
    - `unavailability`: the members' entries for this team or all teams, same window.
    - `history`: the ledger (`OnCallRecord`, one `Shift` per date), same window; only the
      weighted rotation reads it.
    """

    config: TeamConfig
    members: tuple[Member, ...] = ()
    schedules: tuple[ScheduleSpan, ...] = ()
    overrides: tuple[OverrideSpan, ...] = ()
    unavailability: tuple[Unavailability, ...] = ()
    history: tuple[Shift, ...] = ()

    def __post_init__(self) -> None:
        for name in ("members", "schedules", "overrides", "unavailability", "history"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
