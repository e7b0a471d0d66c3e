"""The text of `/oncall [service or team]`: who, why, until when, and who is next."""

import datetime

from schedules import domain, oncall_now, selectors
from schedules.lines import person_periods
from schedules.messages import plain, user, when
from schedules.models import Role
from services.selectors.answers import resolve_services
from teams.models import Team
from teams.selectors import team_by_word

OWN_DAYS = 28
MAX_LINES = 20


def oncall_reply(query: str, caller: str, now: datetime.datetime) -> str:
    """`/oncall <service or team>`: who, why, until when and who is next. `/oncall` alone: the
    caller's own coming shifts."""
    query = query.strip()
    if not query:
        return _own_shifts(caller, now)
    (result,) = resolve_services([query], now)
    if result.known and result.answer is not None:
        return _service_line(result, now)
    team = team_by_word(query, active_only=True)
    if team is not None:
        return _team_line(team, selectors.who_is_on_call(team, now)) + _backup_note(team, now)
    return f"No service or team called '{plain(query)}'. `/oncall` alone lists your own shifts."


def _service_line(result, now) -> str:
    answer, service = result.answer, result.service
    who = answer.mention or "nobody"
    team = f" (team {plain(service.team.name)})" if service.team else ""
    until = ""
    # The team's answer (its gap too, when nothing else answers) holds for the team's run.
    if answer.team_answer is not None and answer.source == answer.team_answer.source:
        until = f" until {when(answer.team_answer.until, service.team.timezone)}"
        until += _next(service.team, answer.team_answer)
    backup = _backup_note(service.team, now) if service.team else ""
    if answer.team_error:
        backup = f"\nThe team's on-call could not be worked out: {plain(answer.team_error)}{backup}"
    name = plain(service.name)
    return f"*{name}*{team}: {who} — {answer.source.replace('_', ' ')}{until}.{backup}"


def _backup_note(team: Team, now: datetime.datetime) -> str:
    """A second line naming the team's backup on call, when the team has a backup line."""
    answer = oncall_now.backup_now([team], now).get(team.pk)
    if answer is None:
        return ""
    if answer.engineer is None:
        return "\nBackup on-call: nobody (a gap in the backup line)."
    return f"\nBackup on-call: {user(answer.engineer)} until {when(answer.until, team.timezone)}."


def _team_line(team: Team, engine: domain.OnCallAnswer) -> str:
    answer = selectors.whom_to_tag(team, engine)
    if answer.target is None:
        return f"*{plain(team.name)}*: nobody is on call — a coverage gap."
    until = when(engine.until, team.timezone)
    return (
        f"*{plain(team.name)}*: {answer.mention} ({answer.source.replace('_', ' ')}) "
        f"until {until}{_next(team, engine)}."
    )


def _next(team: Team, answer: domain.OnCallAnswer) -> str:
    """ ", then <@U…>" — whoever holds the day after the current run ends."""
    if answer.open_end:
        return ""
    following = answer.until_date + datetime.timedelta(days=1)
    nxt = domain.resolve_day(selectors.team_state(team, following), following)
    return f", then {user(nxt.engineer)}" if nxt.engineer else ", then nobody (a gap)"


def _own_shifts(caller: str, now: datetime.datetime) -> str:
    # Keep the shifts not over yet, so the one running now is listed whatever its time zone.
    found, refused = person_periods(
        caller, selectors.first_day_running(now), now.date() + datetime.timedelta(days=OWN_DAYS)
    )
    shifts = [s for s in found if s.ends_at > now]
    unknown = "".join(
        f"\nYour shifts in *{plain(r.team.name)}* cannot be worked out: {plain(r.reason)}"
        for r in refused
    )
    if not shifts:
        return (
            f"You have no on-call shifts in the next {OWN_DAYS} days. "
            "Ask `/oncall <service or team>` to see who is on call." + unknown
        )
    lines = [
        f"• *{plain(s.team.name)}*{' (backup)' if s.role == Role.BACKUP else ''}: "
        f"{when(s.starts_at, s.team.timezone)} → "
        f"{when(s.ends_at, s.team.timezone)} ({s.source.replace('_', ' ')})"
        for s in shifts[:MAX_LINES]
    ]
    return f"Your on-call shifts in the next {OWN_DAYS} days:\n" + "\n".join(lines) + unknown
