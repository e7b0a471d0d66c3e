"""Handoffs: at each team's handoff instant, write the ledger for the on-call day that starts,
record who took over, and queue the handoff messages.

Batched: one transaction handles a batch of due teams with the same eight statements whatever
the batch size (lock, members, spans, ledger, audit, outbox, top-up schedules, team update).
Idempotent: rows are locked (SKIP LOCKED: a team another worker holds is that worker's), only
teams whose `next_handoff_at` has passed are taken, and the ledger's unique (team, date)
refuses a second row whatever happens."""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.outbox.queue import enqueue
from schedules import checkpoints, day_answers, domain, messages, oncall_now, selectors
from schedules.actions import backup_handoff
from schedules.actions.handoff_batch import HandoffOutcome, Writes, days_to_record
from schedules.models import OnCallRecord, Origin, Role, Schedule
from teams.models import BackupLine, Team, next_oncall_version
from teams.rotation_fields import CHECKPOINT_FIELDS
from teams.tasks import set_oncall_usergroup

BATCH_SIZE = 100
UNREADABLE_RETRY = datetime.timedelta(hours=1)

logger = logging.getLogger(__name__)


def _due(now: datetime.datetime) -> Q:
    """A team whose primary's handoff, or whose backup line's, has passed (or was never
    computed)."""
    primary = Q(next_handoff_at__lte=now) | Q(next_handoff_at__isnull=True)
    backup = Q(backup_line__next_handoff_at__lte=now) | Q(backup_line__next_handoff_at__isnull=True)
    return primary | (Q(backup_line__rotation_enabled=True) & backup)


def _primary_due(team: Team, now: datetime.datetime) -> bool:
    return team.next_handoff_at is None or team.next_handoff_at <= now


def due_team_ids(now: datetime.datetime) -> list:
    """Teams whose next handoff (of either line) has passed: one indexed query."""
    return list(Team.objects.filter(_due(now), is_active=True).values_list("pk", flat=True))


def handoff_mark_due(*, team_id) -> None:
    """Make a team's handoff due now (`rotate_now --team`): the next run records what is left."""
    Team.objects.filter(pk=team_id).update(next_handoff_at=None)


def handoff_process(*, team_id, now: datetime.datetime | None = None) -> HandoffOutcome | None:
    """One team's handoff; None when it is not due (already done, or another worker's)."""
    outcomes = handoffs_process(team_ids=[team_id], now=now)
    return outcomes[0] if outcomes else None


@transaction.atomic
def handoffs_process(*, team_ids: list, now: datetime.datetime | None = None) -> list:
    """The due handoffs of the teams, both lines: primary outcomes first, then backup ones."""
    now = now or timezone.now()
    teams = list(
        Team.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("backup_line")
        .filter(_due(now), pk__in=team_ids, is_active=True)
        .order_by("pk")
    )
    teams, refused = selectors.readable(teams)
    if refused:
        _put_off(refused, now)
    if not teams:
        return []
    writes = Writes()
    primary = [t for t in teams if _primary_due(t, now)]
    backups = backup_handoff.backup_states_for(teams, now)
    outcomes = _primary_handoffs(primary, now, writes, backups)
    outcomes += backup_handoff.hand_off_backups(teams, backups, now, writes)
    _write(writes)
    handed_off = [team.pk for team in teams]
    transaction.on_commit(lambda: _share_new_days(handed_off), robust=True)
    return outcomes


def _put_off(refused: list[selectors.TeamRefused], now: datetime.datetime) -> None:
    """Teams whose data the engine cannot read (a time zone the server lost) are left out of
    the batch, which stays one transaction for the others, and tried again an hour on rather
    than every tick; a change of the team's time zone makes its handoff due at once again."""
    for refusal in refused:
        logger.warning(
            "Team %s cannot hand off: %s Tried again in an hour.", refusal.team.pk, refusal.reason
        )
    ids = [refusal.team.pk for refusal in refused]
    later = now + UNREADABLE_RETRY
    Team.objects.filter(pk__in=ids).update(next_handoff_at=later)
    BackupLine.objects.filter(team_id__in=ids).update(next_handoff_at=later)


def _share_new_days(team_ids: list) -> None:
    """The handed-off teams' answers for their new day, worked out once for every process
    (`schedules.day_answers`), now that the day is committed."""
    if day_answers.enabled():
        teams = Team.objects.select_related("backup_line").filter(pk__in=team_ids)
        oncall_now.share_today(teams, timezone.now())


def _primary_handoffs(teams: list, now, writes: Writes, backups: dict) -> list:
    if not teams:
        return []
    todays = {t.pk: selectors.local_today(t, now) for t in teams}
    days = {t.pk: days_to_record(t, todays[t.pk]) for t in teams}
    firsts = [d[0] for d in days.values() if d] or [min(todays.values())]
    # Up to the end of what `_top_up` plans, so it sees every schedule it must not double-book.
    last = max(
        domain.plan_horizon(selectors.team_config(t), todays[t.pk], t.lookahead_periods)
        for t in teams
    )
    states = selectors.team_states(teams, min(firsts), last)
    return [
        _hand_off(team, states[team.pk], days[team.pk], todays[team.pk], now, writes, backups)
        for team in teams
    ]


def _hand_off(team, state, days, today, now, writes: Writes, backups: dict) -> HandoffOutcome:
    previous = _previous_engineer(team, state, days)
    # Nothing new to record (a forced `rotate_now` the same day): the current engineer holds.
    outcome = HandoffOutcome(team.pk, engineer=previous, previous=previous)
    if days:
        assignments = domain.resolve_range(state, days[0], today)
        writes.records += [
            OnCallRecord(
                team=team,
                on_call_date=a.on_call_date,
                engineer_slack_id=a.engineer or "",
                source=a.source,
            )
            for a in assignments
        ]
        backup = backups.get(team.pk)
        outcome = _changes(team, state, assignments, previous, now, writes, backup)
        writes.schedules += _top_up(team, state, today)
        checkpoints.keep(team, checkpoints.recorded(state, assignments), today)
    team.next_handoff_at = domain.handoff_at(
        today + datetime.timedelta(days=1), team.timezone, team.handoff_time
    )
    team.last_handoff_date = today
    team.updated_at = now
    # New ledger days and top-up schedules: states cached under the old version are stale.
    team.oncall_version = next_oncall_version()
    writes.teams.append(team)
    return outcome


def _previous_engineer(team, state, days) -> str | None:
    """Who was on call before the first day to record: the last handoff's engineer; at a team's
    first handoff, with nothing recorded yet, whom the engine gives for the day before (the
    state covers it), so the first message does not say "nobody →" after someone's shift."""
    if team.last_handoff_date is not None or not days:
        return team.current_engineer or None
    return domain.resolve_day(state, days[0] - datetime.timedelta(days=1)).engineer


def _changes(team, state, assignments, previous, now, writes: Writes, backup) -> HandoffOutcome:
    """Audit each change of engineer; message only the one that holds now."""
    engineer, last_change, outgoing = previous, None, None
    for a in assignments:
        if a.engineer == engineer:
            continue
        writes.audit.append(
            AuditEvent(
                entity_type=EntityType.TEAM,
                entity_id=team.pk,
                action=AuditAction.ROTATION_TRIGGERED,
                actor=None,
                team=team,
                changes={"on_call": {"old": engineer, "new": a.engineer}},
                metadata={
                    "source": "task",
                    "on_call_source": str(a.source),
                    "role": Role.PRIMARY,
                },
                engineer_slack_id=a.engineer or "",
                previous_engineer_slack_id=engineer or "",
                change_type="auto_rotation",
                change_reason=f"Handoff ({a.source})",
                effective_date=a.on_call_date,
            )
        )
        last_change, outgoing, engineer = a, engineer, a.engineer
    if last_change is not None:
        writes.messages += _handoff_messages(team, state, last_change, outgoing, now, backup)
    if team.oncall_usergroup_id and (last_change is not None or team.last_handoff_date is None):
        _queue_oncall_group(team)  # at the first handoff too: the group was never set by us
    team.current_engineer = engineer or ""
    roster = domain.candidates(state)
    if engineer in roster:
        team.current_rotation_index = roster.index(engineer)
    return HandoffOutcome(team.pk, [a.on_call_date for a in assignments], engineer, previous)


def _handoff_messages(team, state, change, outgoing, now, backup) -> list:
    """The primary's handoff messages, naming the backup on call when the team has one."""
    answer = domain.who_is_on_call(state, now)
    following = domain.resolve_day(state, answer.until_date + datetime.timedelta(days=1))
    return messages.handoff_messages(
        team_id=team.pk,
        team_name=team.name,
        channel=team.slack_channel_id,
        timezone=team.timezone,
        on_call_date=change.on_call_date,
        outgoing=outgoing,
        incoming=change.engineer,
        until=answer.until,
        next_engineer=None if answer.open_end else following.engineer,
        backup=domain.who_is_on_call(backup, now).engineer if backup else None,
        has_backup=backup is not None,
    )


def _queue_oncall_group(team: Team) -> None:
    """Set the on-call Slack group after commit (nobody on call: the task falls back to the
    leads)."""
    team_id = str(team.pk)
    transaction.on_commit(lambda: set_oncall_usergroup.delay(team_id))


def _top_up(team: Team, state: domain.TeamState, today: datetime.date) -> list[Schedule]:
    """Keep `lookahead_periods` of auto schedules ahead as the rotation moves on."""
    if not team.rotation_enabled:
        return []
    planned = domain.plan(state, today, team.lookahead_periods)
    return [
        Schedule(
            team=team,
            engineer_slack_id=s.engineer,
            start_date=s.start_date,
            end_date=s.end_date,
            origin=Origin.AUTO,
            created_by="system",
        )
        for s in domain.auto_schedules(state, planned)
    ]


def _write(writes: Writes) -> None:
    """One statement per table for the whole batch."""
    if writes.records:
        OnCallRecord.objects.bulk_create(writes.records, ignore_conflicts=True)
    record(*writes.audit)
    enqueue(writes.messages)
    if writes.schedules:
        Schedule.objects.bulk_create(writes.schedules, ignore_conflicts=True)
    # Bookkeeping, not a change anyone made: no history version for it.
    if writes.lines:
        BackupLine.objects.bulk_update(
            writes.lines,
            [
                "next_handoff_at",
                "last_handoff_date",
                "current_engineer",
                "updated_at",
                *CHECKPOINT_FIELDS,
            ],
            batch_size=BATCH_SIZE,
        )
    Team.objects.bulk_update(
        writes.teams,
        [
            "next_handoff_at",
            "last_handoff_date",
            "current_engineer",
            "current_rotation_index",
            "oncall_version",
            "updated_at",
            *CHECKPOINT_FIELDS,
        ],
        batch_size=BATCH_SIZE,
    )
