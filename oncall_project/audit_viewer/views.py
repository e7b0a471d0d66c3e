"""The audit log viewer and a team's history tab: filtered, paginated, each entry with its
old → new values, the name of what it changed and a link to it (pages of every app)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from audit import selectors
from audit.models import AuditLog, EntityType
from oncall_project.audit_viewer import labels
from oncall_project.base import slack_ids
from oncall_project.base.pages import paginate, query_without_page
from teams.forms import PageForm
from teams.models import Team
from teams.page_selectors import team_for_page
from teams.selectors import names_shown, person_search, with_names
from teams.views import team_page

DATE = forms.DateInput(attrs={"type": "date"})
TEAM_TABS = {
    EntityType.TEAM: "teams:detail",
    EntityType.ROTATION_CONFIG: "schedules:rotation",
    EntityType.TEAM_MEMBERSHIP: "teams:members",
    EntityType.UNAVAILABILITY: "teams:members",
    EntityType.SCHEDULE: "schedules:schedules",
    EntityType.OVERRIDE: "schedules:overrides",
}


class AuditFilterForm(PageForm):
    entity_type = forms.ChoiceField(
        label="What", choices=[("", "Anything"), *EntityType.choices], required=False
    )
    action = forms.ChoiceField(required=False)
    actor = forms.CharField(label="Who", max_length=150, required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any team",
    )
    date_from = forms.DateField(label="From", widget=DATE, required=False)
    date_to = forms.DateField(label="To", widget=DATE, required=False)

    def __init__(self, data, *, actions: list[str]):
        super().__init__(data)
        self.fields["action"].choices = [("", "Any action")] + [(a, a) for a in actions]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end is before the start.")
        return data


def link_for(entry: AuditLog) -> str | None:
    """The page of what an entry changed, when there is one."""
    try:
        if entry.entity_type == EntityType.SERVICE:
            return reverse("services:detail", kwargs={"pk": entry.entity_id})
        if entry.team is not None and entry.entity_type in TEAM_TABS:
            return reverse(TEAM_TABS[entry.entity_type], kwargs={"slug": entry.team.slug})
    except NoReverseMatch:
        return None
    return None


def _named(entries: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
    """Entries with the names of their actor and engineer: no query more for the names."""
    return with_names(entries, actor_name="actor_id", engineer_name="engineer_slack_id")


def _entries(page) -> tuple[list[tuple[AuditLog, labels.EntryLabel, str | None]], dict]:
    """Each entry with its label and link, and the names of the people the entries name: those
    the rows did not name (someone an entry names only as the one replaced, or in its old and
    new values, or unconfirmed) read in one query, none when the rows named everyone."""
    entries = list(page.object_list)
    found = labels.entry_labels(entries)
    names = {}
    for entry in entries:
        for slack_id, name in (
            (entry.actor_id, entry.actor_name),
            (entry.engineer_slack_id, entry.engineer_name),
        ):
            if name:
                names[slack_id] = name
    named = {entry.actor_id for entry in entries} | {label.engineer for label in found}
    named |= {i for entry in entries for i in labels.people_in_changes(entry.changes)}
    names |= names_shown(i for i in named if slack_ids.is_user_id(i) and i not in names)
    rows = [(e, label, link_for(e)) for e, label in zip(entries, found, strict=True)]
    return rows, names


def _filtered(data: dict) -> QuerySet[AuditLog]:
    """The entries the filters ask for; "Who" is part of an id or username, or the start of a
    name (or a word of it) the people directory knows (read in the same query)."""
    called = person_search(search=data["actor"], is_active=None).values("slack_user_id")
    return selectors.audit_entries(**data, actor_ids=called)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, actions=selectors.actions_recorded())
    # Filters that do not make sense show their errors, not entries they did not ask for.
    valid = form.is_valid()
    found = _filtered(form.cleaned_data) if valid else AuditLog.objects.none()
    page = paginate(request, _named(found))
    entries, names = _entries(page)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "names": names,
            "query": query_without_page(request),
        },
    )


@login_required
def team_history(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_page(slug)
    page = paginate(request, _named(selectors.audit_entries(team=team)))
    entries, names = _entries(page)
    return team_page(
        request, team, "history", "audit/team_history.html", page=page, entries=entries, names=names
    )
