"""The person picker: every form field that names a person is a text input that searches the
directory as one types (htmx against `teams:people-pick`) and takes the chosen person's Slack
id. Without JavaScript it is a plain input that takes a Slack id, or a name that the directory
holds once. The admin gets the same widget (its Media brings htmx and the page script)."""

import functools
import re
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from oncall_project.base import slack_ids
from oncall_project.base.text import shown
from teams import page_selectors, selectors
from teams.models import Person

MAX_LENGTH = 120
MAX_PEOPLE = 100  # in one list (a rotation's custom order)
_COMMAS = re.compile(r"[,\n]+")


class PersonPicker(forms.TextInput):
    """A combobox: the input, the list of people it finds, and the name of the one chosen.
    `team` (a slug, set by `scope_pickers`) lists that team's members first; `multiple`
    adds each pick to a comma-separated list (the rotation's custom order)."""

    is_person_picker = True

    class Media:
        css = {"all": ("css/picker.css",)}
        js = ("vendor/htmx.min.js", "js/app.js")

    def __init__(self, attrs=None, *, multiple: bool = False):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.multiple = multiple
        self.team = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        box = f"{widget_attrs.get('id') or name}-people"
        query = urlencode(
            {"field": name, "box": box, "team": self.team, "multiple": int(self.multiple)}
        )
        widget_attrs.update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": box,
                "hx-get": f"{reverse('teams:people-pick')}?{query}",
                "hx-trigger": "input changed delay:200ms, focus",
                "hx-target": f"#{box}",
                "hx-sync": "this:replace",
                "data-picker": "multiple" if self.multiple else "one",
            }
        )
        context["box"] = box
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        box = context["box"]
        field = self._render(self.template_name, context, renderer)
        return format_html(
            '<div class="picker">{}<ul id="{}" class="picker-options" role="listbox" '
            'aria-label="People found" hidden></ul>'
            '<span class="picker-chosen" aria-live="polite">{}</span></div>',
            field,
            box,
            chosen_names(context["widget"]["value"], self.team),
        )


def chosen_names(value: str | None, team_slug: str = "") -> str:
    """Who a field holds, by name, as a prefilled form shows them ("Alice Nguyen, Bob Stone"),
    a team's form as the team calls its members: one query; empty when it holds no one the
    directory names."""
    ids = [part.strip() for part in _COMMAS.split(value or "") if part.strip()]
    names = selectors.names_for((i for i in ids if slack_ids.is_user_id(i)), team_slug)
    return ", ".join(names.get(i, i) for i in ids) if names else ""


def _person_id(text: str, named: dict[str, list[str]]) -> str:
    """A Slack id as typed, or the id of the one person the directory knows by that name
    (`named`: `page_selectors.ids_named` of the names typed)."""
    if slack_ids.is_user_id(text):
        return text
    found = named.get(text, [])
    if len(found) == 1:
        return found[0]
    if found:
        raise forms.ValidationError(
            f"Several people are called '{shown(text)}': pick one from the list."
        )
    raise forms.ValidationError(
        f"Nobody called '{shown(text)}' is in the directory: type part of a name and pick "
        "someone from the list, or give a Slack user id (U…)."
    )


def _names_typed(parts: list[str]) -> dict[str, list[str]]:
    names = [part for part in parts if not slack_ids.is_user_id(part)]
    return page_selectors.ids_named(names) if names else {}


class PersonField(forms.CharField):
    """One person: their Slack id (the actions check that the directory knows it)."""

    def __init__(self, *, label: str, required: bool = True, help_text: str = ""):
        super().__init__(
            label=label,
            max_length=MAX_LENGTH,
            required=required,
            help_text=help_text or "Type part of a name or a Slack id, then pick the person.",
            widget=PersonPicker(),
        )

    def clean(self, value):
        text = super().clean(value)
        return _person_id(text, _names_typed([text])) if text else text


class PeopleField(forms.CharField):
    """Several people in order, separated by commas or spaces: a list of Slack ids."""

    def __init__(self, *, label: str, required: bool = False, help_text: str = ""):
        super().__init__(
            label=label,
            required=required,
            help_text=help_text,
            max_length=MAX_PEOPLE * MAX_LENGTH,
            widget=PersonPicker(multiple=True),
        )

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def clean(self, value) -> list[str]:
        """Parts between commas; a part of Slack ids separated by spaces is those ids, any
        other part a name (all the names looked up in one query)."""
        parts = [p.strip() for p in _COMMAS.split(super().clean(value) or "") if p.strip()]
        id_parts = {p for p in parts if all(slack_ids.is_user_id(w) for w in p.split())}
        named = _names_typed([p for p in parts if p not in id_parts])
        ids = []
        for part in parts:
            if part in id_parts:
                ids.extend(part.split())
            else:
                ids.append(_person_id(part, named))
        return ids


NAME_SUFFIX = "_directory_name"


def person_text(row, field: str) -> str | None:
    """The person in the row's `field` as "Alice Nguyen (U_ALICE)", the name read with the rows
    (PersonPickerAdmin.get_queryset); the id alone where the directory names nobody."""
    slack_id, name = getattr(row, field), getattr(row, f"{field}{NAME_SUFFIX}", None)
    return Person.labelled(name or "", slack_id) if slack_id else None


@functools.cache
def person_column(model, field: str):
    """A change-list column: the person in `field` as "Alice Nguyen (U_ALICE)", the name read
    with the rows (PersonPickerAdmin.get_queryset), sorted by the id."""

    def column(row) -> str | None:
        return person_text(row, field)

    column.short_description = model._meta.get_field(field).verbose_name
    column.admin_order_field = field
    column.__name__ = field
    return column


def scope_pickers(form: forms.BaseForm, team) -> None:
    """List `team`'s members first in every picker of `form`."""
    for field in form.fields.values():
        if isinstance(field.widget, PersonPicker):
            field.widget.team = team.slug


class PersonPickerAdmin:
    """For a ModelAdmin: its `person_fields` (Slack id columns) get the picker and, in the
    change list, the person's name beside the id (read with the rows), as its `named_columns`
    do without a picker; `people_fields` (lists of Slack ids) the picker that adds to a list."""

    person_fields: tuple[str, ...] = ()
    people_fields: tuple[str, ...] = ()
    # Columns naming someone that are shown, never picked (who requested, who is on call now)
    named_columns: tuple[str, ...] = ()

    def get_queryset(self, request):
        named = (*self.person_fields, *self.named_columns)
        names = {f"{field}{NAME_SUFFIX}": field for field in named}
        return selectors.with_names(super().get_queryset(request), **names)

    def get_list_display(self, request):
        named = (*self.person_fields, *self.named_columns)
        return [
            person_column(self.model, item) if item in named else item
            for item in super().get_list_display(request)
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.people_fields:
            return PeopleField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                help_text="People in turn, separated by commas: type a name, pick.",
            )
        if db_field.name in self.person_fields:
            kwargs["widget"] = PersonPicker()
        return super().formfield_for_dbfield(db_field, request, **kwargs)
