"""The text of `/oncall [service or team]`: who, why, and until when."""

import datetime

from django.db.models import Q

from escalation.messages import user, when
from schedules import selectors
from services.oncall import resolve_services
from teams.models import Team

MAX_TEAMS = 25


def oncall_reply(query: str, now: datetime.datetime) -> str:
    query = query.strip()
    if not query:
        return _all_teams(now)
    (result,) = resolve_services([query], now)
    if result.known and result.answer is not None:
        return _service_line(result, now)
    team = Team.objects.filter(
        Q(slug__iexact=query) | Q(name__iexact=query), is_active=True
    ).first()
    if team is not None:
        return _team_line(team, selectors.who_is_on_call(team, now))
    return f"No service or team called '{query}'. Try `/oncall` for every team."


def _service_line(result, now) -> str:
    answer, service = result.answer, result.service
    who = answer.mention or "nobody"
    team = f" (team {service.team.name})" if service.team else ""
    until = ""
    if result.team_answer is not None and answer.source == result.team_answer.source:
        until = f" until {when(result.team_answer.ends_at, service.team.timezone)}"
    return f"*{service.name}*{team}: {who} — {answer.source.replace('_', ' ')}{until}."


def _team_line(team: Team, answer) -> str:
    if answer.engineer is None:
        return f"*{team.name}*: nobody is on call — a coverage gap."
    until = when(answer.ends_at, team.timezone)
    return (
        f"*{team.name}*: {user(answer.engineer)} ({answer.source.replace('_', ' ')}) until {until}."
    )


def _all_teams(now: datetime.datetime) -> str:
    teams = list(Team.objects.filter(is_active=True).order_by("name")[:MAX_TEAMS])
    if not teams:
        return "No teams yet."
    answers = selectors.on_call_now(teams, now)
    return "\n".join(_team_line(team, answers[team.pk]) for team in teams)
