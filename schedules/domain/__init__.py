"""The on-call engine: pure functions on frozen dataclasses — no Django, no clock, no I/O.

Callers (selectors, actions, tasks) fill a `TeamState` from the ORM in a few queries and pass
every instant (`at`) or date explicitly. Standard library only.

Inputs (`model`)
- `TeamConfig(timezone="UTC", handoff_time=09:00, handoff_day=None, rotation_enabled=False,
  rotation_type="round_robin", rotation_order=(), rotation_interval="weekly",
  rotation_start_date=None, default_engineer=None, has_slack_group=True)`
- `Member(slack_user_id, joined_at, is_eligible=True, weight=1.0, in_slack_group=None,
  display_name="", role="member")`
- `ScheduleSpan(engineer, start_date, end_date, schedule_type="weekly", days_of_week=(),
  origin="manual", id=None)`; `OverrideSpan(engineer, start_date, end_date,
  status="approved", replaces=None, id=None)`; `Unavailability(slack_user_id, start_date,
  end_date)`; `Shift(engineer, on_call_date)` (the ledger)
- `TeamState(config, members=(), schedules=(), overrides=(), unavailability=(), history=(),
  checkpoint=None, keeps_clear_of="")` — the rotation's position is not a separate field: its
  `auto` schedules are its memory; a `Checkpoint` sums up the turns before a period.

Time (`clock`)
- `on_call_date(at, tz, handoff_time) -> date`; `handoff_at(on_call_date, tz, handoff_time)
  -> datetime` (aware, in `tz`; do arithmetic in UTC). DST-safe: no day dropped or doubled.
  A wall time the clocks skip is the first instant after it; one they pass twice, its first.
  `zone(name) -> ZoneInfo`, DomainError for a name the server's tz database does not hold.

Who is on call (`resolution`) — override → schedule → rotation → team default → nobody
- `resolve_range(state, start_date, end_date) -> list[Assignment]` (one per date);
  `resolve_day(state, day) -> Assignment`; `periods(assignments) -> list[ResolvedPeriod]`
- `who_is_on_call(state, at) -> OnCallAnswer(engineer, source, on_call_date, starts_at,
  ends_at, from_date, until_date)`
- `Assignment(engineer, source, on_call_date)`, `ResolvedPeriod(engineer, source,
  start_date, end_date)`, `Source` (override | schedule | rotation | team_default | none)

Rotation (`periods`, `roster`, `rotation`, `materialise`)
- `period_of(config, day) -> RotationPeriod(index, start_date, end_date) | None`
- `candidates(state) -> tuple[str, ...]`
- `plan(state, start_date, n) -> list[PlannedPeriod(index, start_date, end_date, engineer)]`
- `auto_schedules(state, planned) -> list[ScheduleSpan]` — origin auto, never double-booked
- `future_auto_schedules(state, today)` (what regenerating replaces) and
  `without_future_auto_schedules(state, today) -> TeamState` (what it plans from)
- `checkpoint_at(state, index) -> Checkpoint | None`: the rotation's state at the start of
  period `index`; `checkpoint_fits(state, since)`: whether the state's checkpoint serves
  every resolve from `since` with spans from there on; `rotation_fingerprint(state)`: what a
  checkpoint must match (settings, roster, the primary a backup keeps clear of);
  `loaded_from(state, since)`: the state as a selector loads it beside its checkpoint;
  `settled_index(state, today)`: the latest period a checkpoint may be made at
- `replan(state, today, n) -> Replan(planned, stale, new, state)` — the future auto schedules
  replaced by a fresh plan of at least `n` periods; `plan_horizon(config, today, n) -> date`,
  the end of the period a change's impact is compared up to

The backup line (`backup`)
- `backup_state(backup, primary, start, end) -> TeamState`: the backup line's state with the
  primary's on-call days as time away, so its rotation never gives the day's primary
  (`primary_days_away` lists them)
- `fixed_only(state)`, `overlapping_dates(start, end, own_handoff, other_handoff)`,
  `dates_held(state, engineer, start, end)`, `dates_touching(covered, own, other)`: what a
  manual span on one line is checked against
  on the other (a person never holds both lines at one instant)

Coverage, services, impact
- `coverage_gaps(state, start_date, days) -> list[Gap(start_date, end_date)]`
- `resolve_service(ServiceInfo(name, team_answer, primary_oncall, service_owner,
  team_slack_group, service_team_slack_group, team_default)) -> ServiceAnswer(service,
  target, kind, source, chain, team_answer)`, and `resolve_team(answer, default=,
  slack_group=)`: the one fallback order; `chain` is every `Step(rung, target, answered)`
  asked, `links` whom to tag in order, each once
- `mention_for(target, kind) -> str`, the one way a mention is written; `Tag(slack_id, kind)`;
  `build_mentions(answers) -> list[str]`
- `change_impact(before, after) -> Impact(gains, losses, changed_periods)` of `ShiftChange`s

Bad input raises `DomainError` (a `ValueError`) with a message fit to show a user.
"""

from .answers import (
    Assignment,
    OnCallAnswer,
    PlannedPeriod,
    ResolvedPeriod,
    RotationPeriod,
    Source,
)
from .backup import (
    backup_state,
    dates_held,
    dates_touching,
    fixed_only,
    overlapping_dates,
    primary_days_away,
)
from .checkpoint import checkpoint_at, checkpoint_fits, loaded_from, settled_index
from .clock import handoff_at, on_call_date, zone
from .errors import DomainError
from .gaps import Gap, coverage_gaps
from .impact import Impact, ShiftChange, change_impact
from .materialise import auto_schedules, future_auto_schedules, without_future_auto_schedules
from .mentions import (
    TEAM_RUNGS,
    MentionKind,
    Rung,
    ServiceAnswer,
    ServiceInfo,
    ServiceSource,
    Step,
    Tag,
    build_mentions,
    mention_for,
    resolve_service,
    resolve_team,
)
from .model import (
    Checkpoint,
    Member,
    Origin,
    OverrideSpan,
    OverrideStatus,
    RotationInterval,
    RotationType,
    ScheduleSpan,
    ScheduleType,
    Shift,
    TeamConfig,
    TeamState,
    Unavailability,
)
from .periods import period_of, plan_horizon
from .replan import Replan, replan
from .resolution import periods, resolve_day, resolve_range, who_is_on_call
from .roster import candidates, rotation_fingerprint
from .rotation import plan
from .warnings import rotation_warnings, unfilled_turns
from .wording import days_text

__all__ = [
    "TEAM_RUNGS",
    "Assignment",
    "Checkpoint",
    "DomainError",
    "Gap",
    "Impact",
    "Member",
    "MentionKind",
    "OnCallAnswer",
    "Origin",
    "OverrideSpan",
    "OverrideStatus",
    "PlannedPeriod",
    "Replan",
    "ResolvedPeriod",
    "RotationInterval",
    "RotationPeriod",
    "RotationType",
    "Rung",
    "ScheduleSpan",
    "ScheduleType",
    "ServiceAnswer",
    "ServiceInfo",
    "ServiceSource",
    "Shift",
    "ShiftChange",
    "Source",
    "Step",
    "Tag",
    "TeamConfig",
    "TeamState",
    "Unavailability",
    "auto_schedules",
    "backup_state",
    "build_mentions",
    "candidates",
    "change_impact",
    "checkpoint_at",
    "checkpoint_fits",
    "coverage_gaps",
    "dates_held",
    "dates_touching",
    "days_text",
    "fixed_only",
    "future_auto_schedules",
    "handoff_at",
    "loaded_from",
    "mention_for",
    "on_call_date",
    "overlapping_dates",
    "period_of",
    "periods",
    "plan",
    "plan_horizon",
    "primary_days_away",
    "replan",
    "resolve_day",
    "resolve_range",
    "resolve_service",
    "resolve_team",
    "rotation_fingerprint",
    "rotation_warnings",
    "settled_index",
    "unfilled_turns",
    "who_is_on_call",
    "without_future_auto_schedules",
    "zone",
]
