"""A team's schedules and overrides tabs: lists, create/edit/delete, override requests and
decisions. Every write calls one action; its refusal is the 403 page, its other errors land
on the form."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from oncall_project.base.pages import (
    page_actor,
    page_allowed,
    paginate,
    query_without_page,
    run_action,
    run_button,
    safe_next,
)
from schedules import actions
from schedules.forms import DecisionForm, OverrideForm, ScheduleForm
from schedules.lines import override_has_ended
from schedules.models import Override, OverrideStatus, Schedule
from schedules.selectors import local_today
from teams.page_selectors import people_named, team_for_page
from teams.permissions import ensure_can_manage_team
from teams.views import team_page

PAST_DAYS = 30


def _schedules_page(request, team, form=None, status=200) -> HttpResponse:
    today = local_today(team, timezone.now())
    past = request.GET.get("past") == "1"
    rows = Schedule.objects.filter(team=team).order_by("start_date", "pk")
    if not past:
        rows = rows.filter(end_date__gte=today - datetime.timedelta(days=PAST_DAYS))
    page = paginate(request, rows)
    response = team_page(
        request,
        team,
        "schedules",
        "schedules/schedules.html",
        page=page,
        people=people_named([s.engineer_slack_id for s in page], team),
        form=form or ScheduleForm(team=team),
        past=past,
        query=query_without_page(request),
    )
    response.status_code = status
    return response


@login_required
def schedules(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_page(slug)
    if request.method != "POST":
        return _schedules_page(request, team)
    form = ScheduleForm(request.POST, team=team)
    if form.is_valid():
        done = run_action(
            form,
            actions.schedule_create,
            team=team,
            actor=page_actor(request),
            fields=actions.ScheduleFields(**form.cleaned_data),
        )
        if done.ok:
            messages.success(request, "Schedule added.")
            return redirect("schedules:schedules", slug=slug)
    return _schedules_page(request, team, form)


@login_required
def schedule_edit(request: HttpRequest, slug: str, pk) -> HttpResponse:
    team = team_for_page(slug)
    schedule = get_object_or_404(Schedule, pk=pk, team=team)
    page_allowed(ensure_can_manage_team, actor=page_actor(request), team=team)
    initial = {name: getattr(schedule, name) for name in ScheduleForm.base_fields}
    form = ScheduleForm(request.POST or None, initial=initial, team=team)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.schedule_update,
            schedule=schedule,
            actor=page_actor(request),
            changes=actions.ScheduleFields(**form.cleaned_data),
        )
        if done.ok:
            messages.success(request, "Schedule saved.")
            return redirect("schedules:schedules", slug=slug)
    names = people_named([schedule.engineer_slack_id], team).names
    return team_page(
        request,
        team,
        "schedules",
        "schedules/schedule_edit.html",
        form=form,
        schedule=schedule,
        names=names,
    )


@login_required
@require_POST
def schedule_delete(request: HttpRequest, slug: str, pk) -> HttpResponse:
    team = team_for_page(slug)
    schedule = get_object_or_404(Schedule, pk=pk, team=team)
    if run_button(request, actions.schedule_delete, schedule=schedule).ok:
        messages.success(request, "Schedule deleted.")
    return redirect("schedules:schedules", slug=slug)


def _people_of(overrides) -> list[str]:
    fields = ("engineer_slack_id", "replaces_slack_id", "requested_by", "approved_by")
    return [getattr(o, field) for o in overrides for field in fields]


def _overrides_page(request, team, form=None) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = (
        Override.objects.filter(team=team)
        .select_related("team", "team__backup_line")
        .order_by("-start_date", "-created_at")
    )
    if status in OverrideStatus.values:
        rows = rows.filter(status=status)
    initial = {
        "replaces_slack_id": request.GET.get("replaces", ""),
        "start_date": request.GET.get("start", ""),
        "end_date": request.GET.get("end", ""),
    }
    page = paginate(request, rows)
    for override in page:  # nothing left to approve or cancel once over (the action refuses)
        override.ended = override_has_ended(override)
    return team_page(
        request,
        team,
        "overrides",
        "schedules/overrides.html",
        page=page,
        people=people_named(_people_of(page), team),
        form=form or OverrideForm(initial=initial, team=team),
        status=status,
        statuses=OverrideStatus.values,
        me=page_actor(request).id,
        query=query_without_page(request),
    )


@login_required
def overrides(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_page(slug)
    if request.method != "POST":
        return _overrides_page(request, team)
    form = OverrideForm(request.POST, team=team)
    if form.is_valid():
        done = run_action(
            form,
            actions.override_request,
            team=team,
            actor=page_actor(request),
            fields=actions.OverrideFields(**form.cleaned_data),
        )
        if done.ok:
            state = (
                "approved" if done.value.status == OverrideStatus.APPROVED else "waiting for a lead"
            )
            messages.success(request, f"Override requested: {state}.")
            return redirect("schedules:overrides", slug=slug)
    return _overrides_page(request, team, form)


@login_required
@require_POST
def override_decide(request: HttpRequest, slug: str, pk) -> HttpResponse:
    team = team_for_page(slug)
    override = get_object_or_404(Override, pk=pk, team=team)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject or cancel.")
    elif run_button(request, actions.override_decide, override=override, **form.cleaned_data).ok:
        messages.success(request, f"Override {form.cleaned_data['status']}.")
    return redirect(safe_next(request, reverse("schedules:overrides", kwargs={"slug": slug})))
