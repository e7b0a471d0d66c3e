"""Handoffs: at each team's handoff instant, write the ledger for the on-call day that starts,
record who took over, and queue the handoff messages. Idempotent: the team row lock plus the
`next_handoff_at` check mean a duplicated, retried or concurrent task does nothing twice, and
the ledger's unique (team, date) refuses a second row whatever happens."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import record
from escalation import messages, outbox
from schedules import domain, selectors
from schedules.models import OnCallRecord, Origin, Schedule
from teams.models import Team

# A worker down for longer than this does not fill in the ledger day by day from that far back.
MAX_CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class HandoffOutcome:
    team_id: object
    recorded: list[datetime.date] = field(default_factory=list)
    engineer: str | None = None
    previous: str | None = None


def due_team_ids(now: datetime.datetime) -> list:
    """Teams whose next handoff has passed (or was never computed): one indexed query."""
    return list(
        Team.objects.filter(
            Q(next_handoff_at__lte=now) | Q(next_handoff_at__isnull=True), is_active=True
        ).values_list("pk", flat=True)
    )


def _days_to_record(team: Team, today: datetime.date) -> list[datetime.date]:
    first = today
    if team.last_handoff_date is not None:
        first = team.last_handoff_date + datetime.timedelta(days=1)
    first = max(first, today - datetime.timedelta(days=MAX_CATCH_UP_DAYS))
    return [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]


@transaction.atomic
def handoff_process(*, team_id, now: datetime.datetime | None = None) -> HandoffOutcome | None:
    now = now or timezone.now()
    team = Team.objects.select_for_update().filter(pk=team_id, is_active=True).first()
    if team is None or (team.next_handoff_at is not None and team.next_handoff_at > now):
        return None  # gone, or another run already did this handoff
    today = selectors.local_today(team, now)
    days = _days_to_record(team, today)
    previous = team.current_engineer or None
    outcome = HandoffOutcome(team.pk)
    if days:
        state = selectors.team_state(team, days[0], today)
        assignments = domain.resolve_range(state, days[0], today)
        OnCallRecord.objects.bulk_create(
            [
                OnCallRecord(
                    team=team,
                    on_call_date=a.on_call_date,
                    engineer_slack_id=a.engineer or "",
                    source=a.source,
                )
                for a in assignments
            ],
            ignore_conflicts=True,
        )
        outcome = _record_changes(team, state, assignments, previous, now)
        _top_up_rotation(team, state, today)
    # Bookkeeping, not a change anyone made: an UPDATE, so no history version either.
    Team.objects.filter(pk=team.pk).update(
        next_handoff_at=domain.handoff_at(
            today + datetime.timedelta(days=1), team.timezone, team.handoff_time
        ),
        last_handoff_date=today,
        current_engineer=team.current_engineer,
        current_rotation_index=team.current_rotation_index,
        updated_at=now,
    )
    return outcome


def _record_changes(team, state, assignments, previous, now) -> HandoffOutcome:
    """Audit each change of engineer; message only the one that holds now."""
    engineer = previous
    for a in assignments:
        if a.engineer == engineer:
            continue
        record(
            entity_type="team",
            entity_id=team.pk,
            action="rotation_triggered",
            actor=None,
            team=team,
            changes={"on_call": {"old": engineer, "new": a.engineer}},
            metadata={"source": "task", "on_call_source": str(a.source)},
            engineer_slack_id=a.engineer or "",
            previous_engineer_slack_id=engineer or "",
            change_type="auto_rotation",
            change_reason=f"Handoff ({a.source})",
            effective_date=a.on_call_date,
        )
        last_change, last_previous, engineer = a, engineer, a.engineer
    if engineer != previous:
        _queue_handoff_messages(team, state, last_change, last_previous, now)
    team.current_engineer = engineer or ""
    roster = domain.candidates(state)
    if engineer in roster:
        team.current_rotation_index = roster.index(engineer)
    return HandoffOutcome(team.pk, [a.on_call_date for a in assignments], engineer, previous)


def _queue_handoff_messages(team, state, change, outgoing, now) -> None:
    answer = domain.who_is_on_call(state, now)
    following = domain.resolve_day(state, answer.until_date + datetime.timedelta(days=1))
    outbox.enqueue(
        messages.handoff_messages(
            team_id=team.pk,
            team_name=team.name,
            channel=team.slack_channel_id,
            timezone=team.timezone,
            on_call_date=change.on_call_date,
            outgoing=outgoing,
            incoming=change.engineer,
            until=answer.ends_at,
            next_engineer=following.engineer,
        )
    )
    if team.oncall_usergroup_id and change.engineer:
        from escalation.tasks import set_oncall_usergroup

        team_id = str(team.pk)
        transaction.on_commit(lambda: set_oncall_usergroup.delay(team_id))


def _top_up_rotation(team: Team, state: domain.TeamState, today: datetime.date) -> None:
    """Keep `lookahead_periods` of auto schedules ahead as the rotation moves on."""
    if not team.rotation_enabled:
        return
    planned = domain.plan(state, today, team.lookahead_periods)
    spans = domain.auto_schedules(state, planned)
    if spans:
        Schedule.objects.bulk_create(
            [
                Schedule(
                    team=team,
                    engineer_slack_id=s.engineer,
                    start_date=s.start_date,
                    end_date=s.end_date,
                    origin=Origin.AUTO,
                    created_by="system",
                )
                for s in spans
            ],
            ignore_conflicts=True,
        )
