"""What the on-call engine is given: a team's configuration, members, spans and history.

Every input is a frozen dataclass a selector fills from the ORM. Choice fields accept plain
strings and are stored as `StrEnum` members, which compare equal to those strings.
"""

from dataclasses import asdict, dataclass, fields
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
class Checkpoint:
    """The rotation's state at the start of period `index` (its first date `start`), so the
    engine takes turns from there instead of replaying every period since the anchor.

    Valid only for the rotation it was made for: `fingerprint` (`roster.rotation_fingerprint`)
    must match the state's, else the engine ignores it. `clean_from`: every period from this
    date up to `start` has a recorded turn or needs none (no day uncovered), so a resolve from
    that date on never needs a turn before the checkpoint it cannot read from the schedules.
    round_robin / custom_order keep the `pointer` into the order and who is `owed` a turn;
    weighted keeps each candidate's fair `share`, real `days` and `last_day` (an ordinal), in
    the roster's candidate order.
    """

    index: int
    start: date
    clean_from: date
    fingerprint: str
    pointer: int = -1
    owed: tuple[str, ...] = ()
    share: tuple[float, ...] = ()
    days: tuple[int, ...] = ()
    last_day: tuple[int, ...] = ()

    def as_json(self) -> dict:
        """Plain JSON values (dates as ISO text); floats survive a JSON round trip exactly."""
        data = asdict(self)
        data["start"], data["clean_from"] = self.start.isoformat(), self.clean_from.isoformat()
        return {name: list(v) if isinstance(v, tuple) else v for name, v in data.items()}

    @classmethod
    def from_json(cls, data: object) -> "Checkpoint | None":
        """The checkpoint `as_json` wrote; None for anything else (then the engine replays)."""
        if not isinstance(data, dict) or set(data) != {f.name for f in fields(cls)}:
            return None
        try:
            values = dict(data)
            values["start"] = date.fromisoformat(values["start"])
            values["clean_from"] = date.fromisoformat(values["clean_from"])
            for name in ("owed", "share", "days", "last_day"):
                if not isinstance(values[name], list):
                    return None
                values[name] = tuple(values[name])
        except (TypeError, ValueError):
            return None
        return cls(**values) if _checkpoint_typed(values) else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checkpoint_typed(values: dict) -> bool:
    """Every value of the type the engine reads (a stored row may hold anything)."""
    weighted = (values["share"], values["days"], values["last_day"])
    return (
        _is_int(values["index"])
        and _is_int(values["pointer"])
        and isinstance(values["fingerprint"], str)
        and all(isinstance(x, str) for x in values["owed"])
        and all((_is_int(x) or isinstance(x, float)) for x in values["share"])
        and all(_is_int(x) for x in values["days"] + values["last_day"])
        and len({len(w) for w in weighted}) == 1
    )


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
    - `checkpoint`: the rotation's state at a period's start (`Checkpoint`). With one that
      matches the rotation, the spans need only reach back to its start (or to `clean_from`
      when resolving earlier dates): the turns before it are summed up in it.
    - `keeps_clear_of`: the backup line's: the fingerprint of the primary's rotation whose
      days count as away (`backup.backup_state`), so a checkpoint outlives no primary change.
    """

    config: TeamConfig
    members: tuple[Member, ...] = ()
    schedules: tuple[ScheduleSpan, ...] = ()
    overrides: tuple[OverrideSpan, ...] = ()
    unavailability: tuple[Unavailability, ...] = ()
    history: tuple[Shift, ...] = ()
    checkpoint: Checkpoint | None = None
    keeps_clear_of: str = ""

    def __post_init__(self) -> None:
        for name in ("members", "schedules", "overrides", "unavailability", "history"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
