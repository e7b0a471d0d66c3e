"""The backup line's handoff, in the primary's batch (`handoff.handoffs_process`): at the
backup line's own handoff instant, write its ledger days (role backup), audit each change of
backup engineer, message the channel and the two engineers, and keep its lookahead of auto
schedules. Teams without a backup line cost no statement here."""

import datetime

from audit.log import AuditEvent
from audit.models import AuditAction, EntityType
from schedules import checkpoints, domain, lines, messages
from schedules.actions.handoff_batch import HandoffOutcome, Writes, days_to_record
from schedules.models import OnCallRecord, Origin, Role, Schedule
from teams.models import BackupLine, Team, next_oncall_version


def _due(line: BackupLine, now: datetime.datetime) -> bool:
    return line.next_handoff_at is None or line.next_handoff_at <= now


def backup_states_for(teams: list[Team], now: datetime.datetime) -> dict:
    """Team id → its backup line's state, for the teams of the batch that have one: what their
    backup handoff records, and what the primary's handoff message names."""
    lined = [t for t in teams if lines.has_backup_line(t)]
    if not lined:
        return {}
    firsts, lasts = [], []
    for team in lined:
        line = lines.backup_line(team)
        today = lines.line_today(team, Role.BACKUP, now)
        firsts += [*days_to_record(line, today)[:1], today]
        config = lines.line_config(team, Role.BACKUP)
        lasts.append(domain.plan_horizon(config, today, line.lookahead_periods))
    return lines.backup_states(lined, min(firsts), max(lasts))


def hand_off_backups(teams: list[Team], states: dict, now: datetime.datetime, writes: Writes):
    """The backup handoffs due among `teams`, gathered into the batch's `writes`."""
    outcomes = []
    for team in teams:
        line = lines.backup_line(team)
        if team.pk in states and _due(line, now):
            outcomes.append(_hand_off(team, line, states[team.pk], now, writes))
    return outcomes


def _hand_off(team, line, state, now, writes: Writes) -> HandoffOutcome:
    today = lines.line_today(team, Role.BACKUP, now)
    days = days_to_record(line, today)
    previous = line.current_engineer or None
    if line.last_handoff_date is None and days:
        previous = domain.resolve_day(state, days[0] - datetime.timedelta(days=1)).engineer
    outcome = HandoffOutcome(team.pk, engineer=previous, previous=previous, role=Role.BACKUP)
    if days:
        assignments = domain.resolve_range(state, days[0], today)
        writes.records += [
            OnCallRecord(
                team=team,
                role=Role.BACKUP,
                on_call_date=a.on_call_date,
                engineer_slack_id=a.engineer or "",
                source=a.source,
            )
            for a in assignments
        ]
        outcome = _changes(team, state, assignments, previous, now, writes)
        writes.schedules += _top_up(team, line, state, today)
        checkpoints.keep(line, checkpoints.recorded(state, assignments), today)
    line.current_engineer = outcome.engineer or ""
    line.next_handoff_at = domain.handoff_at(
        today + datetime.timedelta(days=1), team.timezone, line.handoff_time
    )
    line.last_handoff_date = today
    line.updated_at = now
    writes.lines.append(line)
    if team not in writes.teams:
        # New ledger days and top-up schedules: states cached under the old version are stale.
        team.oncall_version = next_oncall_version()
        writes.teams.append(team)
    return outcome


def _changes(team, state, assignments, previous, now, writes: Writes) -> HandoffOutcome:
    """Audit each change of backup engineer; message only the one that holds now."""
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
                changes={"backup_on_call": {"old": engineer, "new": a.engineer}},
                metadata={"source": "task", "on_call_source": str(a.source), "role": Role.BACKUP},
                engineer_slack_id=a.engineer or "",
                previous_engineer_slack_id=engineer or "",
                change_type="auto_rotation",
                change_reason=f"Backup handoff ({a.source})",
                effective_date=a.on_call_date,
            )
        )
        last_change, outgoing, engineer = a, engineer, a.engineer
    if last_change is not None:
        answer = domain.who_is_on_call(state, now)
        writes.messages += messages.handoff_messages(
            team_id=team.pk,
            team_name=team.name,
            channel=team.slack_channel_id,
            timezone=team.timezone,
            on_call_date=last_change.on_call_date,
            outgoing=outgoing,
            incoming=last_change.engineer,
            until=answer.until,
            next_engineer=None,
            role=Role.BACKUP,
        )
    days = [a.on_call_date for a in assignments]
    return HandoffOutcome(team.pk, days, engineer, previous, role=Role.BACKUP)


def _top_up(team, line, state, today) -> list[Schedule]:
    """Keep the backup line's `lookahead_periods` of auto schedules ahead."""
    planned = domain.plan(state, today, line.lookahead_periods)
    return [
        Schedule(
            team=team,
            role=Role.BACKUP,
            engineer_slack_id=s.engineer,
            start_date=s.start_date,
            end_date=s.end_date,
            origin=Origin.AUTO,
            created_by="system",
        )
        for s in domain.auto_schedules(state, planned)
    ]
