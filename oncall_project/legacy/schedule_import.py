"""`oncall_schedules` → Schedule and `oncall_overrides` → Override.

These tables have no metadata column: a legacy value with no field here is kept in the
import's summary audit entry (`unplaced`), and an invalid value stops the import."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import aware, extra_columns, text, validate
from oncall_project.legacy.writer import import_table
from schedules.domain.overlap import spans_share_a_day
from schedules.models import Origin, Override, OverrideStatus, Role, Schedule, ScheduleType

SCHEDULES = "oncall_schedules"
OVERRIDES = "oncall_overrides"
SCHEDULE_COLUMNS = frozenset(
    {
        "id",
        "team_id",
        "engineer_slack_id",
        "start_date",
        "end_date",
        "schedule_type",
        "days_of_week",
        "origin",
        "created_by",
        "created_at",
        "updated_at",
    }
)
OVERRIDE_COLUMNS = frozenset(
    {
        "id",
        "team_id",
        "override_date",
        "start_date",
        "end_date",
        "original_engineer_slack_id",
        "replaces_slack_id",
        "override_engineer_slack_id",
        "engineer_slack_id",
        "reason",
        "status",
        "requested_by",
        "approved_by",
        "decided_at",
        "created_by",
        "created_at",
        "updated_at",
    }
)
LIVE = (OverrideStatus.PENDING, OverrideStatus.APPROVED)


def import_schedules(run: ImportRun) -> None:
    if run.snapshot.has(SCHEDULES):
        import_table(
            run,
            Schedule,
            SCHEDULES,
            lambda row, legacy_id: _schedule(run, row, legacy_id),
            check=_check_schedule_overlaps,
        )


def import_overrides(run: ImportRun) -> None:
    if run.snapshot.has(OVERRIDES):
        import_table(
            run,
            Override,
            OVERRIDES,
            lambda row, legacy_id: _override(run, row, legacy_id),
            check=_check_override_overlaps,
        )


def _schedule(run: ImportRun, row: dict[str, Any], legacy_id: str) -> Schedule:
    extra = extra_columns(row, SCHEDULE_COLUMNS)
    days = row.get("days_of_week") or []
    if row.get("schedule_type") == ScheduleType.WEEKLY and days:
        # A weekly schedule covers every day; the old system ignored its days. Kept aside.
        extra["days_of_week"] = days
        days = []
    schedule = Schedule(
        role=Role.PRIMARY,  # the old system had one line
        team_id=run.team_pk(row["team_id"], legacy_id),
        engineer_slack_id=text(row.get("engineer_slack_id")),
        start_date=row.get("start_date"),
        end_date=row.get("end_date"),
        schedule_type=text(row.get("schedule_type")),
        days_of_week=days,
        origin=row.get("origin") or Origin.MANUAL,
        created_by=text(row.get("created_by")),
        legacy_id=legacy_id,
    )
    validate(schedule, legacy_id)
    run.keep(legacy_id, extra)
    return schedule


def _override(run: ImportRun, row: dict[str, Any], legacy_id: str) -> Override:
    """One legacy row is one day (`override_date`) or, in the later shape, a date range.
    Legacy overrides had no status: they were in force, so `approved` (plans/001 §1.4)."""
    extra = extra_columns(row, OVERRIDE_COLUMNS)
    start = row.get("start_date") or row.get("override_date")
    requested_by, created_by = text(row.get("requested_by")), text(row.get("created_by"))
    if requested_by and created_by and created_by != requested_by:
        extra["created_by"] = created_by
    override = Override(
        role=Role.PRIMARY,
        team_id=run.team_pk(row["team_id"], legacy_id),
        engineer_slack_id=text(_first(row, "override_engineer_slack_id", "engineer_slack_id")),
        replaces_slack_id=text(_first(row, "original_engineer_slack_id", "replaces_slack_id")),
        start_date=start,
        end_date=row.get("end_date") or start,
        reason=text(row.get("reason")),
        status=row.get("status") or OverrideStatus.APPROVED,
        requested_by=requested_by or created_by,
        approved_by=text(row.get("approved_by")),
        decided_at=aware(row.get("decided_at")),
        legacy_id=legacy_id,
    )
    validate(override, legacy_id)
    run.keep(legacy_id, extra)
    return override


def _first(row: dict[str, Any], *columns: str) -> Any:
    return next((row[c] for c in columns if row.get(c) is not None), None)


Span = tuple[datetime.date, datetime.date, list[int] | None, str, bool]


def _check_schedule_overlaps(new: list[Schedule]) -> None:
    """Schedules of a team may not share a covered day, here as in the old system."""
    existing = Schedule.objects.filter(team_id__in={s.team_id for s in new}, role=Role.PRIMARY)
    _check_overlaps(new, existing, "schedule")


def _check_override_overlaps(new: list[Override]) -> None:
    """Pending and approved overrides of a team may not overlap."""
    live = [o for o in new if o.status in LIVE]
    existing = Override.objects.filter(
        team_id__in={o.team_id for o in live}, status__in=LIVE, role=Role.PRIMARY
    )
    _check_overlaps(live, existing, "override")


def _check_overlaps(new: list, existing: Iterable, kind: str) -> None:
    by_team: dict[Any, list[Span]] = defaultdict(list)
    for row, is_new in [*((row, False) for row in existing), *((row, True) for row in new)]:
        days = row.days_of_week if getattr(row, "schedule_type", "") == "daily" else None
        name = row.legacy_id or f"the {kind} {row.pk} made here"
        by_team[row.team_id].append((row.start_date, row.end_date, days, name, is_new))
    for spans in by_team.values():
        spans.sort(key=lambda span: span[0])
        for i, (start, end, days, name, is_new) in enumerate(spans):
            for other in spans[i + 1 :]:
                if other[0] > end:
                    break
                if (is_new or other[4]) and spans_share_a_day(start, end, days, *other[:3]):
                    raise LegacyImportError(
                        f"{name} overlaps {other[3]}: two {kind}s of one team on the same "
                        "day cannot both be imported."
                    )
