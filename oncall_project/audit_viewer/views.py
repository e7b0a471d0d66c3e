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
from oncall_project.base.long_select import LongSelect
from oncall_project.base.pages import paginate_newest_first
from teams.forms import PageForm
from teams.models import Team
from teams.page_selectors import ids_named, team_for_page
from teams.pickers import PersonPicker
from teams.selectors import names_shown, row_name_shown, with_names_shown
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
    actor = forms.CharField(
        label="Who",
        max_length=150,
        required=False,
        widget=PersonPicker(),
        help_text="A person (type their name to pick them), or a username as written.",
    )
    # Every team by slug and name, as plain pairs: 1,000 teams as model rows cost 10 ms.
    team = forms.ChoiceField(widget=LongSelect, required=False)
    date_from = forms.DateField(label="From", widget=DATE, required=False)
    date_to = forms.DateField(label="To", widget=DATE, required=False)

    def __init__(self, data, *, actions: list[str]):
        super().__init__(data)
        self.fields["action"].choices = [("", "Any action")] + [(a, a) for a in actions]
        teams = Team.objects.order_by("name").values_list("slug", "name")
        self.fields["team"].choices = [("", "Any team"), *teams]

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data["team"]
        return Team.objects.filter(slug=slug).first() if slug else None

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
    """Entries with the names of their actor and engineer (an unconfirmed one marked): no
    query more for the names."""
    return with_names_shown(entries, actor_name="actor_id", engineer_name="engineer_slack_id")


def actor_meant(who: str) -> str:
    """The one actor id "Who" means, so its entries are read in order through the index on
    (actor_id, created_at): a person's id when the directory holds the name once, else the
    text as written (a Slack id, a username, "system")."""
    if not who:
        return ""
    found = ids_named([who])[who]
    return found[0] if len(found) == 1 else who


def _entries(page) -> tuple[list[tuple[AuditLog, labels.EntryLabel, str | None]], dict]:
    """Each entry with its label and link, and the names of the people the entries name: those
    the rows did not name (someone an entry names only as the one replaced, or in its old and
    new values) read in one query, none when the rows named everyone."""
    entries = list(page.object_list)
    found = labels.entry_labels(entries)
    names = {}
    for entry in entries:
        for id_field, name in (("actor_id", "actor_name"), ("engineer_slack_id", "engineer_name")):
            if shown := row_name_shown(entry, name):
                names[getattr(entry, id_field)] = shown
    named = {entry.actor_id for entry in entries} | {label.engineer for label in found}
    named |= {i for entry in entries for i in labels.people_in_changes(entry.changes)}
    names |= names_shown(i for i in named if slack_ids.is_user_id(i) and i not in names)
    rows = [(e, label, link_for(e)) for e, label in zip(entries, found, strict=True)]
    return rows, names


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, actions=selectors.actions_recorded())
    # Filters that do not make sense show their errors, not entries they did not ask for.
    valid = form.is_valid()
    if valid:
        filters = dict(form.cleaned_data)
        found = selectors.audit_entries(actor=actor_meant(filters.pop("actor")), **filters)
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
