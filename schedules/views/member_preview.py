"""A member's edit form, previewed: what saving it would do to each of the team's rotating
lines — who gains and loses which shifts, and the turns nobody could take. Nothing is saved."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from oncall_project.base.pages import run_action
from schedules.actions.member_preview import MemberChange, member_change_preview
from schedules.lines import has_backup_line
from schedules.models import Role
from schedules.views.rotation import team_names
from teams.forms import MemberEditForm
from teams.page_selectors import membership_for_page, team_for_page
from teams.views import team_page

# The form's fields that move turns; the others (name, role) move none.
MOVES_TURNS = ("is_eligible_for_oncall", "weight")


@login_required
@require_POST
def member_preview(request: HttpRequest, slug: str, slack_user_id: str) -> HttpResponse:
    """Any signed-in user may preview, as on the rotation tab; saving needs the right."""
    team = team_for_page(slug)
    membership = membership_for_page(team, slack_user_id)
    form = MemberEditForm(request.POST, slack_user_id=slack_user_id)
    lines = [(Role.PRIMARY, team)] if team.rotation_enabled else []
    if has_backup_line(team):
        lines.append((Role.BACKUP, team.backup_line))
    previews = []
    if form.is_valid():
        tried = {f: form.cleaned_data[f] for f in MOVES_TURNS}
        change = MemberChange(
            slack_user_id, {f: v for f, v in tried.items() if v != getattr(membership, f)}
        )
        for role, line in lines:
            done = run_action(
                form,
                member_change_preview,
                team=team,
                periods=line.lookahead_periods,
                change=change,
                role=role,
            )
            if not done.ok:
                break
            previews.append((role, done.value))
    named = {who for _, outcome in previews for who in outcome.impact.affected}
    template = "schedules/_member_preview.html" if request.htmx else "schedules/member_preview.html"
    return team_page(
        request,
        team,
        "members",
        template,
        m=membership,
        form=form,
        previews=previews,
        rotating=bool(lines),
        names=team_names(team, named),
    )
