"""Every dated span the on-call engine reads — schedules, approved overrides, unavailability
and ledger days — fetched for many teams in ONE query (a UNION ALL of four selects)."""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, F, JSONField, Q, Value
from django.db.models.functions import Cast

from schedules import domain
from schedules.models import OnCallRecord, Override, OverrideStatus, Role, Schedule
from teams.models import RotationType, Team, Unavailability
from teams.rotation_fields import RotationFields

COLUMNS = ("kind", "team_", "pk_", "who", "first", "last", "stype", "days", "orig", "state")


@dataclass
class Spans:
    schedules: dict = field(default_factory=lambda: defaultdict(list))
    overrides: dict = field(default_factory=lambda: defaultdict(list))
    away: dict = field(default_factory=lambda: defaultdict(tuple))
    ledger: dict = field(default_factory=lambda: defaultdict(list))


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _select(queryset, kind: str, **columns):
    defaults = {
        "kind": _text(kind),
        "team_": F("team_id"),
        "pk_": F("id"),
        "stype": _text(""),
        "days": Cast(Value(None), JSONField()),
        "orig": _text(""),
        "state": _text(""),
    }
    return queryset.annotate(**{**defaults, **columns}).values(*COLUMNS).order_by()


def spans_query(
    teams: list[Team],
    lower: datetime.date,
    upper: datetime.date,
    role: Role = Role.PRIMARY,
    lines: dict[object, RotationFields] | None = None,
    ledger_from: datetime.date | None = None,
) -> Spans:
    """The spans of one line (`role`) of the teams; `lines` (team id → the line's settings,
    the teams themselves for the primary) says which rotate and which are weighted; the
    ledger from `ledger_from` (None: all of it, for a weighted rotation replayed from its
    start counts every real day)."""
    ids = [t.pk for t in teams]
    lines = lines if lines is not None else {t.pk: t for t in teams}
    dated = {"end_date__gte": lower, "start_date__lte": upper}
    parts = [
        _select(
            Schedule.objects.filter(team_id__in=ids, role=role, **dated),
            "schedule",
            who=F("engineer_slack_id"),
            first=F("start_date"),
            last=F("end_date"),
            stype=F("schedule_type"),
            days=F("days_of_week"),
            orig=F("origin"),
        ),
        _select(
            Override.objects.filter(
                team_id__in=ids, role=role, status=OverrideStatus.APPROVED, **dated
            ),
            "override",
            who=F("engineer_slack_id"),
            first=F("start_date"),
            last=F("end_date"),
            orig=F("replaces_slack_id"),
            state=F("status"),
        ),
    ]
    rotating = [pk for pk, line in lines.items() if line.rotation_enabled]
    if rotating:
        parts.append(
            _select(
                Unavailability.objects.filter(
                    Q(team_id__in=rotating) | Q(team__isnull=True), **dated
                ),
                "away",
                who=F("slack_user_id"),
                first=F("start_date"),
                last=F("end_date"),
            )
        )
    weighted = [
        pk
        for pk, line in lines.items()
        if line.rotation_enabled and line.rotation_type == RotationType.WEIGHTED
    ]
    if weighted:
        parts.append(
            _select(
                OnCallRecord.objects.filter(
                    team_id__in=weighted,
                    role=role,
                    **({"on_call_date__gte": ledger_from} if ledger_from else {}),
                ).exclude(engineer_slack_id=""),
                "ledger",
                who=F("engineer_slack_id"),
                first=F("on_call_date"),
                last=F("on_call_date"),
            )
        )
    return _sorted_into_spans(parts[0].union(*parts[1:], all=True))


def _sorted_into_spans(rows) -> Spans:
    spans = Spans()
    for row in rows:
        kind, team = row["kind"], row["team_"]
        if kind == "schedule":
            spans.schedules[team].append(
                domain.ScheduleSpan(
                    engineer=row["who"],
                    start_date=_day(row["first"]),
                    end_date=_day(row["last"]),
                    schedule_type=row["stype"],
                    days_of_week=tuple(_days(row["days"])),
                    origin=row["orig"],
                    id=row["pk_"],
                )
            )
        elif kind == "override":
            spans.overrides[team].append(
                domain.OverrideSpan(
                    engineer=row["who"],
                    start_date=_day(row["first"]),
                    end_date=_day(row["last"]),
                    status=row["state"],
                    replaces=row["orig"] or None,
                    id=row["pk_"],
                )
            )
        elif kind == "away":
            spans.away[team] += (
                domain.Unavailability(row["who"], _day(row["first"]), _day(row["last"])),
            )
        else:
            spans.ledger[team].append(domain.Shift(row["who"], _day(row["first"])))
    return spans


def _day(value) -> datetime.date:
    # SQLite hands a UNION's dates back as text; PostgreSQL as dates.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _days(value) -> list[int]:
    if value is None:
        return []
    if isinstance(value, str):
        return json.loads(value)
    return value
