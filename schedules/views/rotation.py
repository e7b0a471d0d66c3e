"""A team's rotation tab, for either of its lines (`role`: the primary, or the backup line):
the config form, a preview of who gains and loses shifts before saving (nothing is saved),
saving the config, and generating the next periods."""

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from oncall_project.base.pages import page_actor, run_action
from schedules import actions
from schedules.forms import GenerateForm, RotationForm
from schedules.lines import has_backup_line, line_settings
from schedules.models import Role
from teams.actions import RotationSettings
from teams.page_selectors import team_for_page
from teams.rotation_fields import RotationFields
from teams.selectors import names_shown
from teams.views import team_page


def _role(request: HttpRequest) -> str:
    """The line the tab is about: `role` in the form or the query, primary when left out."""
    role = request.POST.get("role") or request.GET.get("role") or Role.PRIMARY
    if role not in Role.values:
        raise BadRequest("A line is primary or backup.")
    return role


def _changes(form: RotationForm, line: RotationFields) -> RotationSettings:
    """Only what differs from the line as saved: the preview shows the impact of exactly that."""
    return RotationSettings(**{k: v for k, v in form.cleaned_data.items() if getattr(line, k) != v})


def _people_shown(team, line: RotationFields, form: RotationForm | None) -> list[str]:
    """Whom the panel may name: the members, the custom order saved and the one asked for."""
    shown = [m.slack_user_id for m in team.memberships.all()] + list(line.rotation_order or [])
    if form is not None and form.is_bound and form.is_valid():
        shown += form.cleaned_data.get("rotation_order") or []
    return shown


def team_names(team, ids: Iterable[str]) -> dict:
    """Each id's name as the team knows its members, else as the directory does."""
    return {
        **names_shown(ids),
        **{m.slack_user_id: m.display_name for m in team.memberships.all() if m.display_name},
    }


def _page(
    request, team, role, form=None, generate_form=None, outcome=None, saved=False, status=200
) -> HttpResponse:
    template = "schedules/_rotation_panel.html" if request.htmx else "schedules/rotation.html"
    line = line_settings(team, role)
    names = team_names(team, _people_shown(team, line, form))
    response = team_page(
        request,
        team,
        "rotation",
        template,
        form=form or RotationForm(initial=RotationForm.initial_for(line), team=team),
        generate_form=generate_form or GenerateForm(initial={"periods": line.lookahead_periods}),
        outcome=outcome,
        saved=saved,
        names=names,
        role=role,
        has_backup=has_backup_line(team),
    )
    response.status_code = status
    return response


@login_required
def rotation(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form. POST: save the config (and regenerate future auto schedules)."""
    team, role = team_for_page(slug), _role(request)
    if request.method != "POST":
        return _page(request, team, role)
    form = RotationForm(request.POST, team=team)
    if form.is_valid():
        done = run_action(
            form,
            actions.rotation_config_update,
            team=team,
            actor=page_actor(request),
            settings=_changes(form, line_settings(team, role)),
            role=role,
        )
        if done.ok:
            affected = len(done.value.impact.affected)
            line = "Backup rotation" if role == Role.BACKUP else "Rotation"
            messages.success(request, f"{line} saved; {affected} people's shifts moved.")
            return _page(request, team_for_page(slug), role, form, outcome=done.value, saved=True)
    return _page(request, team, role, form)


@login_required
@require_POST
def rotation_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """What saving this form (or generating, when nothing changed) would do. Nothing is saved."""
    team, role = team_for_page(slug), _role(request)
    form = RotationForm(request.POST, team=team)
    outcome = None
    if form.is_valid():
        periods = form.cleaned_data["lookahead_periods"]
        done = run_action(
            form,
            actions.rotation_preview,
            team=team,
            periods=periods,
            settings=_changes(form, line_settings(team, role)),
            role=role,
        )
        outcome = done.value
    return _page(request, team, role, form, outcome=outcome)


@login_required
@require_POST
def rotation_generate(request: HttpRequest, slug: str) -> HttpResponse:
    team, role = team_for_page(slug), _role(request)
    form = GenerateForm(request.POST)
    if form.is_valid():
        done = run_action(
            form,
            actions.rotation_generate,
            team=team,
            actor=page_actor(request),
            periods=form.cleaned_data["periods"],
            role=role,
        )
        if done.ok:
            messages.success(request, f"Generated {done.value.created} rotation schedules.")
            return redirect("schedules:schedules", slug=slug)
    return _page(request, team, role, generate_form=form)
