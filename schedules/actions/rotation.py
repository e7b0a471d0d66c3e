"""Rotation: preview, generate, configuration changes, and regeneration of future auto
schedules. Regeneration deletes only future auto schedules; manual schedules and overrides are
never touched, and the engine never double-books a day they cover."""

import copy
import datetime
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput
from oncall_project.base.outbox.queue import enqueue
from oncall_project.base.writes import apply_changes
from schedules import domain, messages, selectors
from schedules.models import Origin, Schedule
from teams.actions import RotationSettings, ensure_team_active, lock_team
from teams.models import Team
from teams.people import rotation_order_require
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
    # People the plan passes over (not eligible, gone from Slack, away): a preview says so.
    warnings: tuple[str, ...] = ()


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
    """How far a change of the next `periods` periods is compared: to the end of a period."""
    return domain.plan_horizon(selectors.team_config(team), today, periods)


def _impact(before, after, today, horizon) -> domain.Impact:
    return domain.change_impact(
        domain.periods(domain.resolve_range(before, today, horizon)),
        domain.periods(domain.resolve_range(after, today, horizon)),
    )


def _replan_impact(before, replan: domain.Replan, today, horizon) -> domain.Impact:
    """Up to the horizon, or as far as the replan reaches when that is further (it plans again
    every auto schedule already booked)."""
    return _impact(before, replan.state, today, max(horizon, replan.until or horizon))


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
    settings: RotationSettings | None = None,
    now: datetime.datetime | None = None,
) -> RotationOutcome:
    """What generate (or a change to `settings`) would do over the next periods. Nothing is
    saved."""
    periods = _check_periods(periods)
    changes = settings.given() if settings else {}
    now = now or timezone.now()
    _check_start_date(changes, now.date())
    if "rotation_order" in changes:
        rotation_order_require(
            team=team, order=changes["rotation_order"], current=team.rotation_order, actor=None
        )
    draft = _config_after(team, changes) if changes else team
    today = selectors.local_today(draft, now)
    horizon = _horizon(draft, today, periods)
    state = selectors.team_state(team, today, horizon)
    config = selectors.team_config(draft)
    replan = domain.replan(replace(state, config=config), today, periods)
    planned = list(replan.planned[:periods])
    last = planned[-1].end_date if planned else today
    return RotationOutcome(
        planned,
        _replan_impact(state, replan, today, horizon),
        warnings=domain.rotation_warnings(state, config, today, last),
    )


@transaction.atomic
def rotation_generate(
    *, team: Team, actor: Actor | None, periods: int, now: datetime.datetime | None = None
) -> RotationOutcome:
    """Save auto schedules for the next `periods` rotation periods: the future ones are planned
    again (as a config change does), so filling a gap never repeats a turn after it."""
    periods = _check_periods(periods)
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    today = selectors.local_today(team, now or timezone.now())
    entry_id = uuid.uuid4()  # the messages to the people moved name the entry
    before = selectors.team_state(team, today, _horizon(team, today, periods))
    outcome = regenerate_future(
        team, actor, before, today, change_key=f"generate:{entry_id}", periods=periods
    )
    record(
        AuditEvent(
            id=entry_id,
            entity_type=EntityType.ROTATION_CONFIG,
            entity_id=team.pk,
            action=AuditAction.GENERATED,
            actor=actor,
            team=team,
            changes={"auto_schedules": {"old": None, "new": outcome.created}},
            metadata={"periods": periods, **_outcome_notes(outcome)},
        )
    )
    return outcome


def _outcome_notes(outcome: RotationOutcome) -> dict:
    """For the audit entry of the change: whom the re-plan moved, and the rows it rewrote."""
    return {
        "affected": list(outcome.impact.affected),
        "auto_schedules": {"deleted": outcome.deleted, "created": outcome.created},
    }


def regenerate_future(
    team: Team,
    actor: Actor | None,
    before: domain.TeamState,
    today: datetime.date,
    change_key: str,
    periods: int | None = None,
) -> RotationOutcome:
    """Inside the caller's transaction and team lock: replace future auto schedules by a new
    plan (of `periods`, default the lookahead) from the team as saved, and tell the people
    whose shifts moved."""
    periods = periods or team.lookahead_periods
    horizon = _horizon(team, today, periods)
    state = selectors.team_state(team, today, horizon)
    replan = domain.replan(state, today, periods)
    stale = [span.id for span in replan.stale]
    deleted, _ = Schedule.objects.filter(pk__in=stale, origin=Origin.AUTO).delete()
    created = _save_spans(team, list(replan.new), actor)
    impact = _replan_impact(before, replan, today, horizon)
    _tell_affected(team, impact, change_key)
    planned = list(replan.planned[:periods])
    last = planned[-1].end_date if planned else today
    warnings = domain.rotation_warnings(state, state.config, today, last)
    return RotationOutcome(planned, impact, created, deleted, warnings)


def _tell_affected(team: Team, impact: domain.Impact, change_key: str) -> None:
    def runs(changes) -> list[str]:
        return [f"{c.start_date} to {c.end_date}" for c in changes]

    enqueue(
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
    *,
    team: Team,
    actor: Actor | None,
    settings: RotationSettings,
    now: datetime.datetime | None = None,
) -> RotationOutcome:
    """Change the rotation settings, regenerate future auto schedules, return the impact."""
    changes = settings.given()
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    now = now or timezone.now()
    today = selectors.local_today(team, now)
    _check_start_date(changes, today)
    if "rotation_order" in changes:
        rotation_order_require(
            team=team, order=changes["rotation_order"], current=team.rotation_order, actor=actor
        )
    before = selectors.team_state(team, today, _horizon(team, today, team.lookahead_periods + 8))
    changed = apply_changes(team, changes)
    if not changed:
        return RotationOutcome([], domain.Impact())
    if {"handoff_time", "handoff_day"} & set(changed):
        # Recomputed by the next handoff tick, under the new settings.
        Team.objects.filter(pk=team.pk).update(next_handoff_at=None)
    entry_id = uuid.uuid4()  # the messages to the people moved name the entry
    outcome = regenerate_future(team, actor, before, today, change_key=f"rotation:{entry_id}")
    record(
        AuditEvent(
            id=entry_id,
            entity_type=EntityType.ROTATION_CONFIG,
            entity_id=team.pk,
            action=AuditAction.UPDATED,
            actor=actor,
            team=team,
            changes=changed,
            metadata=_outcome_notes(outcome),
        )
    )
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
