"""The team pages that show on-call data: the team list (who is on call in each), a team's
overview (its calendar) and its members tab (time away from the team's own on-call date).
They read teams and schedules, so they live here, above both; a team's other tabs live in
its apps (teams, schedules, the audit viewer) and share `teams.views.team_page`."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oncall_project.base.pages import page_actor, run_action
from schedules.page_selectors.oncall import TeamNow, team_overview, teams_now
from schedules.selectors import local_today
from teams import actions
from teams import page_selectors as team_selectors
from teams.forms import MemberForm, UnavailabilityForm
from teams.models import Team
from teams.views import team_page


def team_rows(
    *, now: datetime.datetime, include_inactive: bool = False
) -> tuple[list[Team], dict[object, TeamNow], dict[str, str]]:
    """Teams with their member counts, who is on call now in each active one, and display
    names: three queries."""
    teams = Team.objects.annotate(member_count=Count("memberships")).order_by("name")
    if not include_inactive:
        teams = teams.filter(is_active=True)
    teams = list(teams)
    rows, names = teams_now([t for t in teams if t.is_active], now)
    return teams, {row.team.pk: row for row in rows}, names


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    include_inactive = request.GET.get("inactive") == "1"
    teams, now_by_team, names = team_rows(now=timezone.now(), include_inactive=include_inactive)
    rows = [(team, now_by_team.get(team.pk)) for team in teams]
    return render(
        request,
        "teams/team_list.html",
        {"rows": rows, "names": names, "include_inactive": include_inactive},
    )


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    try:
        month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = None
    overview = team_overview(team, timezone.now(), month)
    return team_page(request, team, "overview", "teams/team_detail.html", overview=overview)


def _members_page(request, team, add_form=None, away_form=None, status=200) -> HttpResponse:
    today = local_today(team, timezone.now())
    response = team_page(
        request,
        team,
        "members",
        "teams/members.html",
        members=team_selectors.memberships(team),
        away=team_selectors.unavailability(team, today),
        add_form=add_form or MemberForm(),
        away_form=away_form or UnavailabilityForm(),
    )
    response.status_code = status
    return response


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    if request.method != "POST":
        return _members_page(request, team)
    form = MemberForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        done = run_action(
            form,
            actions.membership_upsert,
            team=team,
            actor=page_actor(request),
            slack_user_id=data.pop("slack_user_id").strip(),
            fields=actions.MembershipFields(**data),
        )
        if done.ok:
            messages.success(request, f"{done.value.slack_user_id} is a member of {team.name}.")
            return redirect("teams:members", slug=slug)
    return _members_page(request, team, add_form=form)


@login_required
@require_POST
def unavailability_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        done = run_action(
            form,
            actions.unavailability_create,
            actor=page_actor(request),
            team=team,
            **form.cleaned_data,
        )
        if done.ok:
            messages.success(request, "Time away added.")
            return redirect("teams:members", slug=slug)
    return _members_page(request, team, away_form=form)
