"""A membership change, previewed on the Members tab: what saving a member's edit form, or
removing the member, would do to each of the team's rotating lines — who gains and loses
which shifts, and the turns nobody could take. Nothing is saved here."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from oncall_project.base.pages import page_actor, page_allowed, run_action
from schedules.actions.member_preview import MemberChange, member_change_preview
from schedules.actions.rotation import RotationOutcome
from schedules.lines import has_backup_line
from schedules.models import Role
from schedules.views.rotation import team_names
from teams.forms import MemberEditForm, MemberForm
from teams.models import Team
from teams.page_selectors import membership_for_page, team_for_page
from teams.permissions import ensure_can_manage_team
from teams.views import team_page

# The edit form's fields that move turns; the others (name, role) move none.
MOVES_TURNS = ("is_eligible_for_oncall", "weight")


def rotating_lines(team: Team) -> list[tuple[str, int]]:
    """Each line of the team that rotates, with the periods it plans ahead."""
    lines = [(Role.PRIMARY, team.lookahead_periods)] if team.rotation_enabled else []
    if has_backup_line(team):
        lines.append((Role.BACKUP, team.backup_line.lookahead_periods))
    return lines


def line_previews(*, team: Team, change: MemberChange) -> list[tuple[str, RotationOutcome]]:
    return [
        (role, member_change_preview(team=team, periods=periods, change=change, role=role))
        for role, periods in rotating_lines(team)
    ]


def _render(request, team, form, change, template, **context) -> HttpResponse:
    previews = []
    if change is not None:
        previews = run_action(form, line_previews, team=team, change=change).value or []
    named = {who for _, outcome in previews for who in outcome.impact.affected}
    return team_page(
        request,
        team,
        "members",
        template,
        form=form,
        previews=previews,
        rotating=bool(rotating_lines(team)),
        names=team_names(team, named),
        **context,
    )


def _template(request) -> str:
    return "schedules/_member_preview.html" if request.htmx else "schedules/member_preview.html"


@login_required
@require_POST
def member_preview(request: HttpRequest, slug: str, slack_user_id: str) -> HttpResponse:
    """The edit form as it stands, previewed. Any signed-in user may preview, as on the
    rotation tab; saving needs the right."""
    team = team_for_page(slug)
    membership = membership_for_page(team, slack_user_id)
    form = MemberEditForm(request.POST, slack_user_id=slack_user_id)
    change = None
    if form.is_valid():
        tried = {f: form.cleaned_data[f] for f in MOVES_TURNS}
        change = MemberChange(
            slack_user_id, {f: v for f, v in tried.items() if v != getattr(membership, f)}
        )
    back = reverse("teams:member-edit", args=[team.slug, slack_user_id])
    return _render(
        request, team, form, change, _template(request), m=membership, verb="saved", back=back
    )


@login_required
@require_GET
def member_remove_confirm(request: HttpRequest, slug: str, slack_user_id: str) -> HttpResponse:
    """Before removing a member: what it would move, and the button that removes them."""
    team = team_for_page(slug)
    membership = membership_for_page(team, slack_user_id)
    page_allowed(ensure_can_manage_team, actor=page_actor(request), team=team)
    change = MemberChange(slack_user_id, remove=True)
    template = "schedules/member_remove.html"
    return _render(request, team, forms.Form(), change, template, m=membership, verb="removed")


@login_required
@require_POST
def member_add_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The add form as it stands, previewed: someone from the directory joining today."""
    team = team_for_page(slug)
    form = MemberForm(request.POST, team=team)
    change = None
    if form.is_valid():
        tried = {f: form.cleaned_data[f] for f in MOVES_TURNS}
        change = MemberChange(form.cleaned_data["slack_user_id"], tried)
    back = reverse("teams:members", args=[team.slug])
    return _render(request, team, form, change, _template(request), verb="added", back=back)
