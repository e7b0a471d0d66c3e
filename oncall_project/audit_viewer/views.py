"""The audit log viewer and a team's history tab: filtered, paginated, each entry with its
old → new values, the name of what it changed and a link to it (pages of every app)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from audit import selectors
from audit.models import AuditLog, EntityType
from oncall_project.audit_viewer import labels
from oncall_project.base.pages import paginate_newest_first
from teams.forms import PageForm
from teams.models import Person, Team
from teams.page_selectors import team_for_page
from teams.selectors import person_search
from teams.views import team_page

DATE = forms.DateInput(attrs={"type": "date"})
# The people a "Who" names by the start of their name: their entries are read by actor id.
ACTORS_NAMED = 20
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
    actor = forms.CharField(
        label="Who",
        max_length=150,
        required=False,
        help_text="A Slack id or a username, or the start of a person's name.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name").only("slug", "name"),
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


def _name_of(field: str) -> Subquery:
    """The directory's name for the Slack id in an entry's `field`, read with the entry."""
    name = Coalesce(NullIf("display_name", Value("")), NullIf("real_name", Value("")))
    person = Person.objects.filter(slack_user_id=OuterRef(field)).annotate(name=name)
    return Subquery(person.values("name")[:1])


def _named(entries: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
    """Entries with the names of their actor and engineer: no query more for the names."""
    return entries.annotate(
        actor_name=_name_of("actor_id"), engineer_name=_name_of("engineer_slack_id")
    )


def actors_meant(who: str) -> list[str] | None:
    """The actor ids "Who" means: itself (a Slack id or a username, as written) and the people
    whose name or id starts with it, in one query; None when it is empty."""
    if not who:
        return None
    people = person_search(search=who, is_active=None).values_list("slack_user_id", flat=True)
    return [who, *people[:ACTORS_NAMED]]


def _entries(page) -> tuple[list[tuple[AuditLog, labels.EntryLabel, str | None]], dict]:
    """Each entry with its label and link, and the names of the people the entries name."""
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
    rows = [(e, label, link_for(e)) for e, label in zip(entries, found, strict=True)]
    return rows, names


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, actions=selectors.actions_recorded())
    # Filters that do not make sense show their errors, not entries they did not ask for.
    valid = form.is_valid()
    if valid:
        filters = dict(form.cleaned_data)
        found = selectors.audit_entries(actors=actors_meant(filters.pop("actor")), **filters)
    else:
        found = AuditLog.objects.none()
    page = paginate_newest_first(request, _named(found))
    entries, names = _entries(page)
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "entries": entries, "names": names},
    )


@login_required
def team_history(request: HttpRequest, slug: str) -> HttpResponse:
    team = team_for_page(slug)
    page = paginate_newest_first(request, _named(selectors.audit_entries(team=team)))
    entries, names = _entries(page)
    return team_page(
        request, team, "history", "audit/team_history.html", page=page, entries=entries, names=names
    )
