"""iCal feeds of resolved on-call periods (overrides applied), for a team and for a person.

The URL carries a secret token instead of a login, as calendar apps cannot sign in; a wrong
token is a 404, so a feed's existence is not revealed. Each period is one event timed at its
handoff instants in the team's time zone (with its VTIMEZONE), and keeps its UID while the
period keeps its start."""

import datetime
import secrets

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from oncall_project.base import slack_ids
from schedules.models import Role
from schedules.page_selectors.oncall import Shift, display_names, shifts, with_directory_names
from schedules.page_selectors.person import person_shifts
from schedules.selectors import local_today, team_state
from teams.models import Person, Team

PAST_DAYS = 30
AHEAD_DAYS = 180
KIND_TEXT = {
    "override": "an override",
    "manual": "a manual schedule",
    "rotation": "the rotation",
    "team_default": "the team default",
}


def _check_token(request: HttpRequest, expected: str | None) -> None:
    given = request.GET.get("token", "")
    if not expected or not given or not secrets.compare_digest(given, expected):
        raise Http404("No such feed.")


def _event(shift: Shift, uid: str, names: dict[str, str], stamp: datetime.datetime) -> Event:
    name = names.get(shift.engineer, "")
    who = name or shift.engineer
    backup = shift.role == Role.BACKUP
    event = Event()
    event.add("uid", uid.replace("@", "-backup@") if backup else uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    title = "Backup on call" if backup else "On call"
    event.add("summary", f"{title}: {who} ({shift.team.name})")
    event.add(
        "description",
        f"{Person.labelled(name, shift.engineer)} is {'the backup ' if backup else ''}on call for "
        f"{shift.team.name}, from {KIND_TEXT.get(shift.kind, shift.kind)}.",
    )
    event.add("transp", "TRANSPARENT")
    return event


def _response(name: str, events: list[Event], start, end) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//On-call//On-call pages//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=start - datetime.timedelta(days=1), last_date=end + datetime.timedelta(days=2)
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def team_feed(request: HttpRequest, slug: str) -> HttpResponse:
    team = Team.objects.filter(slug=slug, is_active=True).first()
    _check_token(request, team.ical_token if team else None)
    now = timezone.now()
    today = local_today(team, now)
    start, end = (
        today - datetime.timedelta(days=PAST_DAYS),
        today + datetime.timedelta(days=AHEAD_DAYS),
    )
    state = team_state(team, start, end)
    covered = [s for s in shifts(team, state, start, end) if s.engineer]
    # Someone covering from outside the team is named from the directory, as on the pages.
    names = with_directory_names(display_names([state]), (s.engineer for s in covered))
    events = [
        _event(s, f"{team.pk}-{s.start_date.isoformat()}@oncall", names, now) for s in covered
    ]
    return _response(f"On call: {team.name}", events, start, end)


def person_feed(request: HttpRequest, slack_user_id: str) -> HttpResponse:
    # Not a Slack id (e.g. a NUL byte, which PostgreSQL refuses in a query): no such feed.
    person = (
        Person.objects.filter(slack_user_id=slack_user_id).first()
        if slack_ids.is_user_id(slack_user_id)
        else None
    )
    _check_token(request, person.ical_token if person else None)
    now = timezone.now()
    today = now.date()
    start, end = (
        today - datetime.timedelta(days=PAST_DAYS),
        today + datetime.timedelta(days=AHEAD_DAYS),
    )
    # A team whose data the engine cannot read has no events here: a feed has no place to say
    # why, and "My schedule" and the API say it.
    mine, names, _ = person_shifts(slack_user_id, start, end)
    if person.known_name:  # named so where no team of theirs holds them as a member
        names.setdefault(slack_user_id, person.known_name)
    events = [
        _event(s, f"{s.team.pk}-{s.start_date.isoformat()}-{slack_user_id}@oncall", names, now)
        for s in mine
    ]
    return _response(f"On call: {names.get(slack_user_id, slack_user_id)}", events, start, end)
