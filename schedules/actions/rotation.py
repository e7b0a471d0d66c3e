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
from schedules import checkpoints, domain, lines, messages, selectors
from schedules.models import Origin, Role, Schedule
from teams.actions import RotationSettings, ensure_team_active, lock_team
from teams.models import Team
from teams.people import rotation_order_members_only
from teams.permissions import ensure_can_manage_team
from teams.rotation_fields import RotationFields

MAX_PERIODS = 104
# The rotation replays its turns from its start date: much further back is unbounded work, and
# near the calendar's end its periods run off it.
START_REACH_YEARS = 10
BACKUP_LINE = "Backup line: "  # a warning of the backup's, beside the primary's own


@dataclass(frozen=True)
class RotationOutcome:
    """What a rotation action planned (and, unless a preview, saved) and whom it moves."""

    entries: list[domain.PlannedPeriod]
    impact: domain.Impact
    created: int = 0
    deleted: int = 0
    # People the plan passes over (not eligible, gone from Slack, away), turns nobody can take:
    # a preview says so.
    warnings: tuple[str, ...] = ()
    unfilled: str | None = None  # why turns go to nobody, as one of the warnings


def check_periods(periods: Any) -> int:
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= MAX_PERIODS:
        raise InvalidInput(
            f"periods must be a whole number from 1 to {MAX_PERIODS}.",
            {"periods": [f"A whole number from 1 to {MAX_PERIODS}."]},
        )
    return periods


def check_start_date(changes: dict[str, Any], today: datetime.date) -> None:
    start = changes.get("rotation_start_date")
    if isinstance(start, datetime.date) and abs(start - today).days > 366 * START_REACH_YEARS:
        message = f"The rotation must start within {START_REACH_YEARS} years of today."
        raise InvalidInput(message, {"rotation_start_date": [message]})


def horizon(
    team: Team, today: datetime.date, periods: int, line: RotationFields | None = None
) -> datetime.date:
    """How far a change of the next `periods` periods of a line (default the primary) is
    compared: to the end of a period."""
    return domain.plan_horizon(selectors.team_config(team, line), today, periods)


def _impact(before, after, today, horizon) -> domain.Impact:
    return domain.change_impact(
        domain.periods(domain.resolve_range(before, today, horizon)),
        domain.periods(domain.resolve_range(after, today, horizon)),
    )


def replan_impact(before, replan: domain.Replan, today, horizon) -> domain.Impact:
    """Up to the horizon, or as far as the replan reaches when that is further (it plans again
    every auto schedule already booked)."""
    return _impact(before, replan.state, today, max(horizon, replan.until or horizon))


def plan_warnings(
    state: domain.TeamState, replan: domain.Replan, today: datetime.date, periods: int
) -> tuple[list[domain.PlannedPeriod], tuple[str, ...]]:
    """The re-plan of `state`: its first `periods` periods, and the warnings on them (whom the
    rotation passes over from today to their last day, the turns nobody can take)."""
    planned = list(replan.planned[:periods])
    last = planned[-1].end_date if planned else today
    return planned, domain.rotation_warnings(state, state.config, today, last, planned)


def as_saved(
    replan: domain.Replan, planned: list[domain.PlannedPeriod]
) -> list[domain.PlannedPeriod]:
    """The `planned` periods as they are on call once the re-plan is saved: a period that one
    engineer holds whole — by the running auto schedule the settings before booked (kept), a
    manual swap or an approved override — is theirs, not the rotation turn it leaves unused.
    A period split between people, or left to the default, shows the rotation's turn."""
    if not planned:
        return planned
    days = domain.resolve_range(replan.state, planned[0].start_date, planned[-1].end_date)
    first = planned[0].start_date.toordinal()
    held = (domain.Source.OVERRIDE, domain.Source.SCHEDULE, domain.Source.ROTATION)
    shown = []
    for period in planned:
        start, end = period.start_date.toordinal() - first, period.end_date.toordinal() - first
        whole = days[start : end + 1]
        engineers = {day.engineer for day in whole}
        if len(engineers) == 1 and all(day.source in held for day in whole):
            period = replace(period, engineer=engineers.pop())
        shown.append(period)
    return shown


def _save_spans(
    team: Team, role: str, spans: list[domain.ScheduleSpan], actor: Actor | None
) -> int:
    rows = [
        Schedule(
            team=team,
            role=role,
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


def _config_after(line: RotationFields, changes: dict[str, Any]) -> RotationFields:
    """An unsaved copy of the line's settings (the team's, or its backup line's) with the
    changes applied and validated."""
    draft = copy.copy(line)
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
    role: str = Role.PRIMARY,
) -> RotationOutcome:
    """What generate (or a change to `settings`) would do over the next periods of the `role`
    line. Nothing is saved."""
    periods = check_periods(periods)
    changes = settings.given() if settings else {}
    now = now or timezone.now()
    check_start_date(changes, lines.line_today(team, role, now))  # the date a save checks by
    saved = lines.line_settings(team, role)
    if "rotation_order" in changes:
        # members only, and nobody looked up in Slack: a preview writes nothing (the members
        # are in the directory already; saving the order checks them as a write does)
        rotation_order_members_only(team=team, order=changes["rotation_order"])
    draft = _config_after(saved, changes) if changes else saved
    config = selectors.team_config(team, draft)
    today = domain.on_call_date(now, team.timezone, draft.handoff_time)
    until = horizon(team, today, periods, draft)
    # Other settings tried: their turns replay from the start, not from the saved checkpoint.
    state = lines.line_state(team, role, today, until, checkpoint=not changes)
    planning = replace(state, config=config)
    if role == Role.BACKUP and changes:
        # the primary's days count as away by the settings tried, as saving them would count them
        tried = lines.backup_states([team], today, until, tried={team.pk: draft})[team.pk]
        planning = replace(tried, config=config)
    replan = domain.replan(planning, today, periods)
    planned, warnings = plan_warnings(planning, replan, today, periods)
    # other primary settings tried: what they leave the backup line, as saving them says
    tried_primary = bool(changes) and role == Role.PRIMARY
    if tried_primary and (beside := lines.backup_unfilled_beside(team, replan.state, now)):
        warnings += (BACKUP_LINE + beside,)
    impact = replan_impact(state, replan, today, until)
    return RotationOutcome(as_saved(replan, planned), impact, warnings=warnings)


@transaction.atomic
def rotation_generate(
    *,
    team: Team,
    actor: Actor | None,
    periods: int,
    now: datetime.datetime | None = None,
    role: str = Role.PRIMARY,
) -> RotationOutcome:
    """Save auto schedules for the next `periods` periods of the `role` line: the future ones
    are planned again (as a config change does), so filling a gap never repeats a turn after
    it."""
    periods = check_periods(periods)
    team = lock_team(team.pk)
    ensure_can_manage_team(actor, team)
    ensure_team_active(team)
    now = now or timezone.now()
    today = lines.line_today(team, role, now)
    entry_id = uuid.uuid4()  # the messages to the people moved name the entry
    line = lines.line_settings(team, role)
    before = lines.line_state(team, role, today, horizon(team, today, periods, line))
    outcome = regenerate_future(
        team, actor, before, today, change_key=f"generate:{entry_id}", periods=periods, role=role
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
            metadata={"periods": periods, "role": role, **outcome_notes(outcome)},
        )
    )
    if role == Role.PRIMARY:
        follow_with_backup(team, actor, now, change_key=f"generate:{entry_id}")
    return outcome


def outcome_notes(outcome: RotationOutcome) -> dict:
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
    role: str = Role.PRIMARY,
) -> RotationOutcome:
    """Inside the caller's transaction and team lock: replace the `role` line's future auto
    schedules by a new plan (of `periods`, default the lookahead) from the line as saved, and
    tell the people whose shifts moved."""
    line = lines.line_settings(team, role)
    periods = periods or line.lookahead_periods
    until = horizon(team, today, periods, line)
    state = lines.line_state(team, role, today, until)
    replan = domain.replan(state, today, periods)
    if checkpoints.keep(line, replan.state, today):
        checkpoints.save(line)
    stale = [span.id for span in replan.stale]
    deleted, _ = Schedule.objects.filter(pk__in=stale, origin=Origin.AUTO, role=role).delete()
    created = _save_spans(team, role, list(replan.new), actor)
    impact = replan_impact(before, replan, today, until)
    _tell_affected(team, impact, change_key, role)
    planned, warnings = plan_warnings(state, replan, today, periods)
    unfilled = domain.unfilled_turns(state, planned)
    return RotationOutcome(as_saved(replan, planned), impact, created, deleted, warnings, unfilled)


def backup_snapshot(team: Team, now: datetime.datetime):
    """The backup line's state before a change to the primary, or None without one."""
    if not lines.has_backup_line(team):
        return None
    line = lines.line_settings(team, Role.BACKUP)
    today = lines.line_today(team, Role.BACKUP, now)
    until = horizon(team, today, line.lookahead_periods + 8, line)
    return lines.line_state(team, Role.BACKUP, today, until), today


def follow_with_backup(
    team: Team, actor: Actor | None, now: datetime.datetime, change_key: str, snapshot=None
) -> RotationOutcome | None:
    """After the primary's future changed (caller holds the team lock): the backup line plans
    its future again, so it still never gives the day's primary."""
    snapshot = snapshot or backup_snapshot(team, now)
    if snapshot is None:
        return None
    before, today = snapshot
    return regenerate_future(
        team, actor, before, today, change_key=f"{change_key}:backup", role=Role.BACKUP
    )


def before_primary_change(
    team: Team, role: str, now: datetime.datetime | None = None, *, changes_who: bool = True
):
    """A change to the primary line's days re-plans the backup's future: the backup's state
    before it, or None (a change on the backup line, one that moves nobody, or no backup)."""
    if role != Role.PRIMARY or not changes_who:
        return None
    return backup_snapshot(team, now or timezone.now())


def after_primary_change(team: Team, actor: Actor | None, snapshot, change_key: str) -> None:
    """The backup line follows a primary change `before_primary_change` took a snapshot for."""
    if snapshot is not None:
        follow_with_backup(team, actor, timezone.now(), change_key, snapshot=snapshot)


def _tell_affected(team: Team, impact: domain.Impact, change_key: str, role: str) -> None:
    enqueue(
        [
            messages.shifts_moved_message(
                team_id=team.pk,
                team_name=team.name,
                engineer=engineer,
                gained=impact.gains.get(engineer, ()),
                lost=impact.losses.get(engineer, ()),
                change_key=change_key,
                role=role,
            )
            for engineer in impact.affected
        ]
    )
