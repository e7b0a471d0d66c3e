"""Read-only on-call pages: the dashboard (its search box asks "who is on call for…", a
services page), my schedule and the fairness report (with its CSV)."""

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from oncall_project.base.pages import page_actor
from schedules.forms import FairnessForm, LookupForm, RangeForm
from schedules.page_selectors.fairness import fairness
from schedules.page_selectors.oncall import overrides_awaiting, teams_now
from schedules.page_selectors.person import coming_shifts, person_shifts
from teams.models import Team

MY_SCHEDULE_DAYS = 56
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FAIRNESS_DAYS = 90


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    teams = list(Team.objects.filter(is_active=True).select_related("backup_line").order_by("name"))
    rows, names = teams_now(teams, timezone.now(), backups=True)
    return render(
        request,
        "schedules/dashboard.html",
        {
            "rows": rows,
            "names": names,
            "gaps": [row for row in rows if row.gaps or (row.backup and row.backup.gaps)],
            "awaiting": overrides_awaiting(page_actor(request)),
            "lookup_form": LookupForm(),
        },
    )


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    """From today (the default) means from now: the shift running now is listed first even when
    its team's on-call date is still yesterday's. Another start date reads as on-call dates."""
    actor = page_actor(request)
    now = timezone.now()
    today = timezone.localdate(now)
    form = RangeForm(request.GET, default_days=MY_SCHEDULE_DAYS, back=False, today=today)
    shifts, names, refused, ical, shown = [], {}, [], None, None
    if actor.slack_user_id and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if start == today:
            shifts, names, refused = coming_shifts(actor.slack_user_id, now, end)
        else:
            shifts, names, refused = person_shifts(actor.slack_user_id, start, end)
        shown = (start, end, start == today)
    if actor.slack_user_id:
        person = request.user.person  # loaded with the user
        names = {**names, actor.slack_user_id: person.name}
        # The feed does not depend on the dates asked for, nor on whether they make sense.
        path = reverse("schedules:ical-user", kwargs={"slack_user_id": actor.slack_user_id})
        ical = request.build_absolute_uri(f"{path}?token={person.ical_token}")
    return render(
        request,
        "schedules/my_schedule.html",
        {
            "form": form,
            "shifts": shifts,
            "refused": refused,
            "names": names,
            "ical": ical,
            "me": actor.slack_user_id,
            "shown": shown,
        },
    )


@login_required
def fairness_report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = FairnessForm(request.GET, default_days=FAIRNESS_DAYS, back=True, today=today)
    rows, shown = [], None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        shown = (start, end)
        rows = fairness(team=form.cleaned_data["team"], start=start, end=end)
        if request.GET.get("format") == "csv":
            return _fairness_csv(rows, start, end)
    totals: dict = {}  # each line's days apart: a share is of the line's days
    for row in rows:
        line = (row.team.pk, row.role)
        totals[line] = totals.get(line, 0) + row.days
    shares = [(row, row.share(totals[row.team.pk, row.role])) for row in rows]
    names = {row.engineer: row.name for row in rows}
    return render(
        request,
        "schedules/fairness.html",
        {"form": form, "rows": shares, "names": names, "csv_query": _csv(request), "shown": shown},
    )


def _csv(request: HttpRequest) -> str:
    params = request.GET.copy()
    params["format"] = "csv"
    return params.urlencode()


def _fairness_csv(rows, start: datetime.date, end: datetime.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fairness-{start}-{end}.csv"'
    writer = csv.writer(response)
    header = ["team", "slack_user_id", "name", "shifts", "on_call_days", "weekend_days", "role"]
    writer.writerow(header)
    for row in rows:
        counts = [row.shifts, row.days, row.weekend_days]
        writer.writerow([row.team.slug, row.engineer, _cell(row.name), *counts, row.role])
    return response


def _cell(text: str) -> str:
    """A name as a spreadsheet reads it: one starting like a formula (a display name anyone
    may set in Slack) is quoted, so opening the export never runs it (CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
