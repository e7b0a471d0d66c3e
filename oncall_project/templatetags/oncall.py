"""Small display helpers shared by every page: people, sources, handoff times, audit diffs."""

import datetime
import json

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from oncall_project.base import slack_ids, viewer_zone
from teams.models import Person

register = template.Library()

KIND_LABELS = {
    "override": "Override",
    "schedule": "Schedule",
    "manual": "Manual schedule",
    "rotation": "Rotation",
    "team_default": "Team default",
    "primary_oncall": "Service primary on-call",
    "service_owner": "Service owner",
    "slack_group": "Slack group",
    "none": "Nobody (gap)",
    "gap": "Nobody (gap)",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


UNCONFIRMED = (
    "Only seen in data from before the people directory: nobody has confirmed who this is. "
    "The next change that names them checks them in Slack."
)


@register.simple_tag
def person(slack_id, names=None, elsewhere=None):
    """A person as their name with the Slack id beside it (small, selectable to copy), marked
    "unconfirmed" when the directory's entry is (teams.selectors.names_shown), "from <team>"
    when `elsewhere` says they belong to another team, or "nobody"."""
    if not slack_id:
        return mark_safe('<span class="nobody">nobody</span>')
    if not slack_ids.is_user_id(slack_id):  # an API client's or the system's name: no person
        return format_html('<span class="person">{}</span>', slack_id)
    name = (names or {}).get(slack_id, "")
    team = (elsewhere or {}).get(slack_id, "")
    origin = format_html(' <span class="muted">from {}</span>', team) if team else ""
    mark = unconfirmed_mark(name)
    if name:
        return format_html(
            '<span class="person">{} <code class="slack-id">{}</code>{}{}</span>',
            name,
            slack_id,
            mark,
            origin,
        )
    return format_html(
        '<span class="person"><code class="slack-id">{}</code>{}{}</span>', slack_id, mark, origin
    )


def unconfirmed_mark(name) -> str:
    """The "unconfirmed" badge for a name the directory has not confirmed, else nothing."""
    if not getattr(name, "unconfirmed", False):
        return ""
    return format_html(
        ' <span class="badge badge-unconfirmed" title="{}">unconfirmed</span>', UNCONFIRMED
    )


@register.simple_tag
def shown_value(field, names=None):
    """A form field's current value as a read-only page shows it: people by name, choices by
    their label, yes or no, a dash for nothing."""
    value = field.value()
    if getattr(field.field.widget, "is_person_picker", False):
        text = ",".join(value) if isinstance(value, list | tuple) else str(value or "")
        ids = [part.strip() for part in text.split(",") if part.strip()]
        if not ids:
            return "—"
        return format_html_join(", ", "{}", ((person(i, names),) for i in ids))
    if isinstance(value, bool):
        return "yes" if value else "no"
    choices = {str(key): label for key, label in getattr(field.field, "choices", None) or []}
    key = "" if value is None else str(value)
    if key in choices:
        return choices[key]
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return value if key else "—"


@register.filter
def kind_label(kind) -> str:
    return KIND_LABELS.get(str(kind), str(kind).replace("_", " ").capitalize())


@register.simple_tag
def badge(kind):
    return format_html('<span class="badge badge-{}">{}</span>', kind, kind_label(kind))


def _viewers(value: datetime.datetime) -> str:
    """ " · 15:00 CET": the same instant on the viewer's clock, when it reads otherwise (the
    day too when it differs); empty when the viewer's zone is not known or reads the same."""
    zone = viewer_zone.current()
    if zone is None:
        return ""
    theirs = value.astimezone(zone)
    if theirs.strftime("%H:%M %Z") == value.strftime("%H:%M %Z"):
        return ""
    shown_day = "%H:%M %Z" if theirs.date() == value.date() else "%a %-d %b %H:%M %Z"
    return f" · {theirs.strftime(shown_day)}"


@register.filter
def handoff(value) -> str:
    """An aware datetime in its own time zone (a team's), e.g. "Mon 7 Dec 2026 09:00 EST",
    with the viewer's clock beside it where it differs ("… 09:00 EST · 15:00 CET")."""
    if not isinstance(value, datetime.datetime):
        return ""
    return value.strftime("%a %-d %b %Y %H:%M %Z") + _viewers(value)


@register.filter
def until(answer) -> str:
    """When an on-call answer's run ends, or "further notice" when it has no end in sight."""
    if getattr(answer, "open_end", False):
        return "further notice"
    return handoff(getattr(answer, "ends_at", None))


@register.filter
def until_here(answer) -> str:
    """`until` on the viewer's clock (the team's when the viewer's zone is not known)."""
    if getattr(answer, "open_end", False):
        return "further notice"
    value = getattr(answer, "ends_at", None)
    if not isinstance(value, datetime.datetime):
        return ""
    zone = viewer_zone.current()
    return (value.astimezone(zone) if zone else value).strftime("%a %-d %b %Y %H:%M %Z")


@register.filter
def handoff_short(value) -> str:
    """Like `handoff` without the year and the team's zone, for tables that name it once."""
    if not isinstance(value, datetime.datetime):
        return ""
    return value.strftime("%a %-d %b %H:%M") + _viewers(value)


@register.filter
def weekday(value) -> str:
    if value is None or value == "":
        return "any day"
    return WEEKDAYS[int(value)]


@register.filter
def diff_rows(changes, names=None) -> list[tuple[str, str, str]]:
    """An audit entry's {"field": {"old", "new"}} as (field, old, new) display rows; a person
    `names` names as "Alice Nguyen (U_ALICE)"."""
    if not isinstance(changes, dict):
        return [("value", "", _shown(changes, names))]
    rows = []
    for field, change in changes.items():
        if isinstance(change, dict) and set(change) <= {"old", "new"}:
            old, new = _shown(change.get("old"), names), _shown(change.get("new"), names)
            rows.append((field, old, new))
        else:
            rows.append((field, "", _shown(change, names)))
    return rows


def _shown(value, names=None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(v, names) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    name = (names or {}).get(value) if isinstance(value, str) else None
    return Person.labelled(name, value) if name else str(value)


@register.filter
def get_name(names, slack_id) -> str:
    """A short label for a calendar cell: the first name, else the Slack id."""
    if not slack_id:
        return ""
    name = (names or {}).get(slack_id, "")
    return name.split()[0] if name.strip() else slack_id


@register.filter
def humanize_code(value) -> str:
    """An action or entity code as words: "override_approved" → "override approved"."""
    return str(value).replace("_", " ")


@register.filter
def full_name(names, slack_id) -> str:
    """A person in plain text (a cell's title): their name, else the Slack id; "unconfirmed"
    beside it when the directory's entry is."""
    if not slack_id:
        return "nobody"
    name = (names or {}).get(slack_id)
    return f"{name or slack_id}{' (unconfirmed)' if getattr(name, 'unconfirmed', False) else ''}"
