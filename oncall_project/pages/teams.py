"""The team pages that show on-call data: the team list (who is on call in each), a team's
overview (its calendar) and its members tab (time away from the team's own on-call date).
They read teams and schedules, so they live here, above both; a team's other tabs live in
its apps (teams, schedules, the audit viewer) and share `teams.views.team_page`."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
from teams.forms import MemberForm, TeamFilterForm, UnavailabilityForm
from teams.models import Team
from teams.permissions import TeamAccess, team_access
from teams.views import team_page


def team_rows(
    *, now: datetime.datetime, active: str = "active"
) -> tuple[list[Team], dict[object, TeamNow], dict[str, str]]:
    """Teams (`active`: active, inactive or all) with their member counts, who is on call now
    in each active one, and display names: three queries."""
    teams = Team.objects.annotate(member_count=Count("memberships")).order_by("name")
    if active in {"active", "inactive"}:
        teams = teams.filter(is_active=active == "active")
    teams = list(teams)
    rows, names = teams_now([t for t in teams if t.is_active], now)
    return teams, {row.team.pk: row for row in rows}, names


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamFilterForm(request.GET)
    teams, now_by_team, names = team_rows(now=timezone.now(), active=form.wanted())
    rows = [(team, now_by_team.get(team.pk)) for team in teams]
    return render(request, "teams/team_list.html", {"rows": rows, "names": names, "form": form})


@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    try:
        month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = None
    overview = team_overview(team, timezone.now(), month)
    return team_page(request, team, "overview", "teams/team_detail.html", overview=overview)


def _away_form(request, team, access: TeamAccess, data=None) -> UnavailabilityForm | None:
    """Leads and staff record anyone's time away; a member only their own; without a Slack
    identity, no one's."""
    if access.can_manage:
        return UnavailabilityForm(data, team=team)
    if me := page_actor(request).slack_user_id:
        return UnavailabilityForm(data, team=team, only=me)
    return None


def _members_page(
    request, team, add_form=None, away_form=None, access=None, status=200
) -> HttpResponse:
    today = local_today(team, timezone.now())
    away = list(team_selectors.unavailability(team, today))
    access = access or team_access(page_actor(request), team)
    response = team_page(
        request,
        team,
        "members",
        "teams/members.html",
        access,
        members=team_selectors.memberships(team),
        away=away,
        people=team_selectors.people_named([a.slack_user_id for a in away]),
        add_form=add_form or MemberForm(team=team),
        away_form=away_form or _away_form(request, team, access),
        me=page_actor(request).slack_user_id,
    )
    response.status_code = status
    return response


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    if request.method != "POST":
        return _members_page(request, team)
    form = MemberForm(request.POST, team=team)
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
            added = team_selectors.membership_for_page(team, done.value[0].slack_user_id)
            messages.success(request, f"{added.shown_name} is a member of {team.name}.")
            return redirect("teams:members", slug=slug)
    return _members_page(request, team, add_form=form)


@login_required
@require_POST
def unavailability_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_selectors.team_for_page(slug)
    access = team_access(page_actor(request), team)
    form = _away_form(request, team, access, request.POST)
    if form is None:
        raise PermissionDenied("Link your Slack identity (your profile) to record time away.")
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
    return _members_page(request, team, away_form=form, access=access)
