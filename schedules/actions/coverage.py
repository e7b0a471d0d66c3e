"""The weekly coverage-gap post: each team's channel hears about the days nobody covers."""

import datetime

from django.db import transaction
from django.utils import timezone

from oncall_project.base.outbox.queue import enqueue
from schedules import domain, lines, messages, selectors
from schedules.models import Role
from teams.models import Team

REPORT_DAYS = 14


@transaction.atomic
def coverage_report_queue(*, team_id, now: datetime.datetime | None = None) -> list | None:
    """Queue this week's report for one team (once per week: the outbox key says so)."""
    team = Team.objects.filter(pk=team_id, is_active=True).exclude(slack_channel_id="").first()
    if team is None:
        return None
    now = now or timezone.now()
    refused = selectors.refusal(team)
    if refused:  # the channel hears why nothing can be said of its gaps
        week_of = now.date() - datetime.timedelta(days=now.weekday())
        enqueue([_message(team, week_of, [], None, refused)])
        return None
    today = selectors.local_today(team, now)
    state = selectors.team_state(team, today, today + datetime.timedelta(days=REPORT_DAYS))
    gaps = domain.coverage_gaps(state, today, REPORT_DAYS)
    week_of = today - datetime.timedelta(days=today.weekday())
    backup_gaps = _backup_gaps(team, now)
    enqueue([_message(team, week_of, [(g.start_date, g.end_date) for g in gaps], backup_gaps)])
    return gaps


def _message(team: Team, week_of, gaps, backup_gaps, refused: str | None = None):
    return messages.coverage_gap_message(
        team_id=team.pk,
        team_name=team.name,
        channel=team.slack_channel_id,
        week_of=week_of,
        gaps=gaps,
        backup_gaps=backup_gaps,
        refused=refused,
    )


def _backup_gaps(team: Team, now: datetime.datetime) -> list[tuple] | None:
    """The backup line's uncovered days over the same fortnight, or None without a backup."""
    if not lines.has_backup_line(team):
        return None
    today = lines.line_today(team, Role.BACKUP, now)
    state = lines.line_state(team, Role.BACKUP, today, today + datetime.timedelta(days=REPORT_DAYS))
    return [(g.start_date, g.end_date) for g in domain.coverage_gaps(state, today, REPORT_DAYS)]
