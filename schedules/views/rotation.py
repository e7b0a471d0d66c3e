"""A team's rotation tab: the config form, a preview of who gains and loses shifts before
saving (nothing is saved), saving the config, and generating the next periods."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from oncall_project.base.pages import page_actor, run_action
from schedules import actions
from schedules.forms import GenerateForm, RotationForm
from teams.actions import RotationSettings
from teams.models import Team
from teams.page_selectors import team_for_page
from teams.selectors import names_for
from teams.views import team_page


def _changes(form: RotationForm, team: Team) -> RotationSettings:
    """Only what differs from the team as saved: the preview shows the impact of exactly that."""
    return RotationSettings(**{k: v for k, v in form.cleaned_data.items() if getattr(team, k) != v})


def _people_shown(team: Team, form: RotationForm | None) -> list[str]:
    """Whom the panel may name: the members, the custom order saved and the one asked for."""
    shown = [m.slack_user_id for m in team.memberships.all()] + list(team.rotation_order or [])
    if form is not None and form.is_bound and form.is_valid():
        shown += form.cleaned_data.get("rotation_order") or []
    return shown


def _page(
    request, team, form=None, generate_form=None, outcome=None, saved=False, status=200
) -> HttpResponse:
    template = "schedules/_rotation_panel.html" if request.htmx else "schedules/rotation.html"
    names = names_for(_people_shown(team, form))
    response = team_page(
        request,
        team,
        "rotation",
        template,
        form=form or RotationForm(initial=RotationForm.initial_for(team), team=team),
        generate_form=generate_form or GenerateForm(initial={"periods": team.lookahead_periods}),
        outcome=outcome,
        saved=saved,
        names=names,
    )
    response.status_code = status
    return response


@login_required
def rotation(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form. POST: save the config (and regenerate future auto schedules)."""
    team = team_for_page(slug)
    if request.method != "POST":
        return _page(request, team)
    form = RotationForm(request.POST, team=team)
    if form.is_valid():
        done = run_action(
            form,
            actions.rotation_config_update,
            team=team,
            actor=page_actor(request),
            settings=_changes(form, team),
        )
        if done.ok:
            affected = len(done.value.impact.affected)
            messages.success(request, f"Rotation saved; {affected} people's shifts moved.")
            return _page(request, team_for_page(slug), form, outcome=done.value, saved=True)
    return _page(request, team, form)


@login_required
@require_POST
def rotation_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """What saving this form (or generating, when nothing changed) would do. Nothing is saved."""
    team = team_for_page(slug)
    form = RotationForm(request.POST, team=team)
    outcome = None
    if form.is_valid():
        periods = form.cleaned_data["lookahead_periods"]
        done = run_action(
            form,
            actions.rotation_preview,
            team=team,
            periods=periods,
            settings=_changes(form, team),
        )
        outcome = done.value
    return _page(request, team, form, outcome=outcome)


@login_required
@require_POST
def rotation_generate(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_page(slug)
    form = GenerateForm(request.POST)
    if form.is_valid():
        done = run_action(
            form,
            actions.rotation_generate,
            team=team,
            actor=page_actor(request),
            periods=form.cleaned_data["periods"],
        )
        if done.ok:
            messages.success(request, f"Generated {done.value.created} rotation schedules.")
            return redirect("schedules:schedules", slug=slug)
    return _page(request, team, generate_form=form)
