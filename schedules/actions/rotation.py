"""Rotation: preview, generate, configuration changes, and regeneration of future auto
schedules. Regeneration deletes only future auto schedules; manual schedules and overrides are
never touched, and the engine never double-books a day they cover."""

import copy
import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import record
from audit.actors import Actor
from escalation import messages, outbox
from oncall_project.errors import InvalidInput
from oncall_project.writes import apply_changes
from schedules import domain, selectors
from schedules.models import Origin, Schedule
from teams.actions import ROTATION_FIELDS, lock_team
from teams.models import Team
from teams.permissions import ensure_can_manage_team

MAX_PERIODS = 104
# The rotation replays its turns from its start date: much further back is unbounded work, and
# near the calendar's end its periods run off it.
START_REACH_YEARS = 10


@dataclass(frozen=True)
class RotationOutcome:
    """What a rotation action planned (and, unless a preview, saved) and whom it moves."""

    entries: list[domain.PlannedPeriod]
    impact: domain.Impact
    created: int = 0
    deleted: int = 0


def _check_periods(periods: Any) -> int:
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= MAX_PERIODS:
        raise InvalidInput(
            f"periods must be a whole number from 1 to {MAX_PERIODS}.",
            {"periods": [f"A whole number from 1 to {MAX_PERIODS}."]},
        )
    return periods


def _check_start_date(changes: dict[str, Any], today: datetime.date) -> None:
    start = changes.get("rotation_start_date")
    if isinstance(start, datetime.date) and abs(start - today).days > 366 * START_REACH_YEARS:
        message = f"The rotation must start within {START_REACH_YEARS} years of today."
        raise InvalidInput(message, {"rotation_start_date": [message]})


def _horizon(team: Team, today: datetime.date, periods: int) -> datetime.date:
    days = {"daily": 1, "weekly": 7, "biweekly": 14}[team.rotation_interval]
    return today + datetime.timedelta(days=days * (periods + 1))


def _regenerated(state: domain.TeamState, today: datetime.date, periods: int):
    """The state with future auto schedules replaced by a fresh plan: (plan, spans, state)."""
    base = domain.without_future_auto_schedules(state, today)
    planned = domain.plan(base, today, periods)
    spans = domain.auto_schedules(base, planned)
    return planned, spans, replace(base, schedules=base.schedules + tuple(spans))


def _impact(before, after, today, horizon) -> domain.Impact:
    return domain.change_impact(
        domain.periods(domain.resolve_range(before, today, horizon)),
        domain.periods(domain.resolve_range(after, today, horizon)),
    )


def _save_spans(team: Team, spans: list[domain.ScheduleSpan], actor: Actor | None) -> int:
    rows = [
        Schedule(
            team=team,
            engineer_slack_id=s.engineer,
            start_date=s.start_date,
            end_date=s.end_date,
            schedule_type=s.schedule_type,
            origin=Origin.AUTO,
            created_by=actor.id if actor else "system",
        )
        for s in spans
    ]
    Schedule.objects.bulk_create(rows)
    return len(rows)


def _config_after(team: Team, changes: dict[str, Any]) -> Team:
    """An unsaved copy of the team with the changes applied and validated."""
    draft = copy.copy(team)
    for name, value in changes.items():
        setattr(draft, name, value)
    try:
        draft.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    return draft


def rotation_preview(
    *,
    team: Team,
    periods: int,
    changes: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> RotationOutcome:
    """What generate (or a config change) would do over the next periods. Nothing is saved."""
    periods = _check_periods(periods)
    changes = changes or {}
    unknown = set(changes) - ROTATION_FIELDS
    if unknown:
        raise InvalidInput(
            f"Unknown rotation field: {sorted(unknown)[0]}.",
            {k: ["Unknown rotation field."] for k in unknown},
        )
    now = now or timezone.now()
    _check_start_date(changes, now.date())
    draft = _config_after(team, changes) if changes else team
    today = selectors.local_today(draft, now)
    horizon = _horizon(draft, today, periods)
    state = selectors.team_state(team, today, horizon)
    after = replace(state, config=selectors.team_config(draft))
    if changes:
        planned, _spans, after = _regenerated(after, today, periods)
    else:
        planned = domain.plan(after, today, periods)
        after = replace(
            after, schedules=after.schedules + tuple(domain.auto_schedules(after, planned))
        )
    return RotationOutcome(planned, _impact(state, after, today, horizon))


@transaction.atomic
def rotation_generate(
    *, team: Team, actor: Actor | None, periods: int, now: datetime.datetime | None = None
) -> RotationOutcome:
    """Save auto schedules for the next `periods` rotation periods."""
    periods = _check_periods(periods)
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    today = selectors.local_today(team, now or timezone.now())
    horizon = _horizon(team, today, periods)
    state = selectors.team_state(team, today, horizon)
    planned = domain.plan(state, today, periods)
    spans = domain.auto_schedules(state, planned)
    created = _save_spans(team, spans, actor)
    after = replace(state, schedules=state.schedules + tuple(spans))
    impact = _impact(state, after, today, horizon)
    record(
        entity_type="rotation_config",
        entity_id=team.pk,
        action="generated",
        actor=actor,
        team=team,
        changes={"auto_schedules": {"old": None, "new": created}},
        metadata={"periods": periods},
    )
    return RotationOutcome(planned, impact, created=created)


def regenerate_future(
    team: Team,
    actor: Actor | None,
    before: domain.TeamState,
    today: datetime.date,
    change_key: str,
) -> RotationOutcome:
    """Inside the caller's transaction and team lock: replace future auto schedules by a new
    plan from the team as saved, and tell the people whose shifts moved."""
    periods = team.lookahead_periods
    horizon = _horizon(team, today, periods)
    current = selectors.team_state(team, today, horizon)
    stale = [s.id for s in domain.future_auto_schedules(current, today)]
    deleted, _ = Schedule.objects.filter(pk__in=stale, origin=Origin.AUTO).delete()
    planned, spans, after = _regenerated(current, today, periods)
    if not team.rotation_enabled:
        planned, spans, after = [], [], domain.without_future_auto_schedules(current, today)
    created = _save_spans(team, spans, actor)
    impact = _impact(before, after, today, horizon)
    _tell_affected(team, impact, change_key)
    return RotationOutcome(planned, impact, created=created, deleted=deleted)


def _tell_affected(team: Team, impact: domain.Impact, change_key: str) -> None:
    def runs(changes) -> list[str]:
        return [f"{c.start_date} to {c.end_date}" for c in changes]

    outbox.enqueue(
        [
            messages.shifts_moved_message(
                team_id=team.pk,
                team_name=team.name,
                engineer=engineer,
                gained=runs(impact.gains.get(engineer, ())),
                lost=runs(impact.losses.get(engineer, ())),
                change_key=change_key,
            )
            for engineer in impact.affected
        ]
    )


@transaction.atomic
def rotation_config_update(
    *, team: Team, actor: Actor | None, now: datetime.datetime | None = None, **changes: Any
) -> RotationOutcome:
    """Change the rotation settings, regenerate future auto schedules, return the impact."""
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    now = now or timezone.now()
    today = selectors.local_today(team, now)
    _check_start_date(changes, today)
    before = selectors.team_state(team, today, _horizon(team, today, team.lookahead_periods + 8))
    changed = apply_changes(team, changes, ROTATION_FIELDS)
    if not changed:
        return RotationOutcome([], domain.Impact())
    if {"handoff_time", "handoff_day"} & set(changed):
        # Recomputed by the next handoff tick, under the new settings.
        Team.objects.filter(pk=team.pk).update(next_handoff_at=None)
    entry = record(
        entity_type="rotation_config",
        entity_id=team.pk,
        action="updated",
        actor=actor,
        team=team,
        changes=changed,
    )
    outcome = regenerate_future(team, actor, before, today, change_key=f"rotation:{entry.pk}")
    entry.metadata = {
        **entry.metadata,
        "affected": list(outcome.impact.affected),
        "auto_schedules": {"deleted": outcome.deleted, "created": outcome.created},
    }
    entry.save(update_fields=["metadata"])
    return outcome


def rotation_snapshot(team: Team, now: datetime.datetime | None = None):
    """Before a membership change: the state to compare against, or None without a rotation."""
    if not team.rotation_enabled:
        return None
    today = selectors.local_today(team, now or timezone.now())
    horizon = _horizon(team, today, team.lookahead_periods + 8)
    return selectors.team_state(team, today, horizon), today


def rotation_follow_membership(
    team: Team, actor: Actor | None, snapshot, change_key: str
) -> RotationOutcome | None:
    """After a membership change (caller holds the team lock): re-plan future auto schedules
    and tell whoever gained or lost shifts."""
    if snapshot is None:
        return None
    before, today = snapshot
    return regenerate_future(team, actor, before, today, change_key=change_key)
