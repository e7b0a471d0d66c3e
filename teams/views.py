"""Team pages: a team's settings, its members' inline edits (htmx), time away, the Slack sync,
and a person's profile; `team_page` renders a tab of any team page. Each write calls one action.
The team list, overview and members tab show on-call data: oncall_project.pages.teams."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from oncall_project.base.pages import page_actor, page_allowed, run_action, run_button
from teams import actions, page_selectors, slack_proof
from teams.forms import TIMEZONES, MemberEditForm, PersonDetailsForm, ProfileForm, TeamForm
from teams.models import Unavailability
from teams.permissions import ensure_can_manage_team, team_access
from teams.selectors import names_for, names_shown
from teams.slack_sync import sync_team_from_slack

MAX_QUERY = 60


def team_page(
    request: HttpRequest, team, tab: str, template: str, access=None, **context
) -> HttpResponse:
    """Render one tab of a team's page with what every tab needs: what the viewer may do
    there (`access`, read here unless the view has it already)."""
    access = access or team_access(page_actor(request), team)
    context.setdefault("can_manage", access.can_manage)
    context.setdefault("access", access)
    return render(request, template, {"team": team, "tab": tab, **context})


@login_required
def people_pick(request: HttpRequest) -> HttpResponse:
    """The people a picker lists for what was typed into it (the input named by `field`; for a
    list, the part after the last comma): the team's members first, each with its team."""
    typed = request.GET.get(request.GET.get("field", ""), "")
    if request.GET.get("multiple") == "1":
        typed = typed.rsplit(",", 1)[-1]
    query = typed.strip()[:MAX_QUERY]
    team = page_selectors.team_or_none(request.GET.get("team", ""))
    people = page_selectors.people_to_pick(query, team) if query or team else []
    box = request.GET.get("box", "people")
    return render(
        request, "teams/_people_options.html", {"people": people, "query": query, "box": box}
    )


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.team_create,
            actor=page_actor(request),
            fields=actions.TeamFields(**form.changes()),
        )
        if done.ok:
            messages.success(request, f"Team {done.value.name} created.")
            return redirect("teams:detail", slug=done.value.slug)
    return render(request, "teams/team_form.html", {"form": form, "timezones": TIMEZONES})


@login_required
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    fields = TeamForm.base_fields
    form = TeamForm(request.POST or None, initial={f: getattr(team, f) for f in fields}, team=team)
    access = team_access(page_actor(request), team)
    if request.method == "POST" and not access.can_manage:  # the action's refusal, in its words
        page_allowed(ensure_can_manage_team, actor=page_actor(request), team=team)
    if not access.can_manage:
        # Read-only for whoever may not change them: no form that would end in a 403.
        names = names_shown([team.oncall_engineer])
        return team_page(
            request, team, "settings", "teams/team_form.html", access, form=form, names=names
        )
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.team_update,
            team=team,
            actor=page_actor(request),
            changes=actions.TeamFields(**form.changes()),
        )
        if done.ok:
            messages.success(request, "Team settings saved.")
            return redirect("teams:detail", slug=done.value.slug)
    return team_page(
        request, team, "settings", "teams/team_form.html", access, form=form, timezones=TIMEZONES
    )


@login_required
@require_POST
def team_set_active(request: HttpRequest, slug: str, active: bool) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    action = actions.team_restore if active else actions.team_soft_delete
    if run_button(request, action, team=team).ok:
        messages.success(request, f"{team.name} {'restored' if active else 'deleted'}.")
    return redirect("teams:detail", slug=team.slug)


def _member_row(request, team, membership, form=None) -> HttpResponse:
    context = {"team": team, "m": membership, "can_manage": True, "form": form}
    if form is None:
        return render(request, "teams/_member_row.html", context)
    template = "teams/_member_form.html" if request.htmx else "teams/member_edit.html"
    return render(request, template, {**context, "tab": "members"})


@login_required
def member_edit(request: HttpRequest, slug: str, slack_user_id: str) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    membership = page_selectors.membership_for_page(team, slack_user_id)
    page_allowed(ensure_can_manage_team, actor=page_actor(request), team=team)
    if request.method != "POST":
        if request.GET.get("cancel") and request.htmx:
            return _member_row(request, team, membership)
        fields = MemberEditForm.base_fields
        initial = {f: getattr(membership, f) for f in fields}
        form = MemberEditForm(initial=initial, slack_user_id=slack_user_id)
        return _member_row(request, team, membership, form)
    form = MemberEditForm(request.POST, slack_user_id=slack_user_id)
    if form.is_valid():
        done = run_action(
            form,
            actions.membership_update,
            team=team,
            actor=page_actor(request),
            slack_user_id=slack_user_id,
            fields=actions.MembershipFields(**form.cleaned_data),
        )
        if done.ok:
            saved = page_selectors.membership_for_page(team, slack_user_id)  # with its name
            if request.htmx:
                return _member_row(request, team, saved)
            messages.success(request, f"{saved.shown_name} saved.")
            return redirect("teams:members", slug=slug)
    return _member_row(request, team, membership, form)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, slack_user_id: str) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    done = run_button(request, actions.membership_remove, team=team, slack_user_id=slack_user_id)
    if done.ok:
        name = names_for([slack_user_id]).get(slack_user_id, slack_user_id)
        messages.success(request, f"{name} removed from {team.name}.")
    return redirect("teams:members", slug=slug)


@login_required
@require_POST
def unavailability_delete(request: HttpRequest, slug: str, pk) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    away = get_object_or_404(Unavailability, pk=pk)
    if run_button(request, actions.unavailability_delete, unavailability=away).ok:
        messages.success(request, "Time away removed.")
    return redirect("teams:members", slug=team.slug)


@login_required
@require_POST
def sync_from_slack(request: HttpRequest, slug: str) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    done = run_button(request, sync_team_from_slack, team=team)
    if done.ok:
        summary = ", ".join(f"{len(ids)} {what}" for what, ids in done.value.items())
        messages.success(request, f"Synced from Slack: {summary}.")
    return redirect("teams:members", slug=slug)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    initial = {"slack_user_id": person.slack_user_id if person else ""}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.person_link,
            user=request.user,
            actor=page_actor(request),
            slack_user_id=form.cleaned_data["slack_user_id"].strip(),
        )
        if done.ok:
            messages.success(request, "Your Slack identity is saved.")
            return redirect("teams:profile")
    return _profile_page(request, person, form)


def _profile_page(request, person, form, details_form=None) -> HttpResponse:
    ical = details = None
    if person and person.slack_user_id:
        path = reverse("schedules:ical-user", kwargs={"slack_user_id": person.slack_user_id})
        ical = request.build_absolute_uri(f"{path}?token={person.ical_token}")
        initial = {"display_name": person.display_name, "timezone": person.timezone}
        details = details_form or PersonDetailsForm(initial=initial)
    context = {"form": form, "person": person, "ical": ical, "details": details}
    return render(request, "teams/profile.html", {**context, "timezones": TIMEZONES})


@login_required
@require_POST
def profile_details(request: HttpRequest) -> HttpResponse:
    """A person's own name and time zone in the directory."""
    person = getattr(request.user, "person", None)
    if person is None or not person.slack_user_id:
        raise Http404("Your account is not linked to a Slack user yet.")
    form = PersonDetailsForm(request.POST)
    if form.is_valid():
        done = run_action(
            form,
            actions.person_update,
            person=person,
            actor=page_actor(request),
            fields=actions.PersonFields(**form.cleaned_data),
        )
        if done.ok:
            messages.success(request, "Your name and time zone are saved.")
            return redirect("teams:profile")
    return _profile_page(request, person, ProfileForm(), form)


@login_required
@require_POST
def profile_ical_reset(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("Your account has no calendar feed yet.")
    if run_button(request, actions.person_ical_token_reset, person=person).ok:
        messages.success(request, "Your calendar link is renewed; the old one no longer works.")
    return redirect("teams:profile")


@login_required
@require_POST
def team_ical_reset(request: HttpRequest, slug: str) -> HttpResponse:
    team = page_selectors.team_for_page(slug)
    if run_button(request, actions.team_ical_token_reset, team=team).ok:
        messages.success(
            request, "The team's calendar link is renewed; the old one no longer works."
        )
    return redirect("teams:detail", slug=slug)


@login_required
def profile_link(request: HttpRequest, proof: str) -> HttpResponse:
    """The page `/oncall link` sends a Slack user to: confirm, then link (POST only)."""
    slack_user_id = slack_proof.verify(proof)
    if request.method == "POST":
        done = run_button(request, actions.person_link_with_proof, user=request.user, proof=proof)
        if done.ok:
            messages.success(request, f"Your account is now linked to Slack user {slack_user_id}.")
        return redirect("teams:profile")
    return render(request, "teams/profile_link.html", {"slack_user_id": slack_user_id})
