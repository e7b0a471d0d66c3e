"""Helpers for admin tests: log an operator in, and fill a change form as a browser would."""

from django.forms import CheckboxInput
from django.urls import reverse

from audit.models import AuditLog
from tests.factories import StaffUserFactory


def login_operator(client, username: str = "ops"):
    user = StaffUserFactory(username=username)
    client.force_login(user)
    return user


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_values(form) -> dict:
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif getattr(widget, "allow_multiple_selected", False):
            data[field.html_name] = [str(v) for v in value or []]
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data


def form_data(response, **changes) -> dict:
    """What the page's form (and its inlines) would post untouched, with `changes` applied."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_values(formset.management_form)
        for form in formset.forms:
            data |= _form_values(form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def only_audit_row() -> AuditLog:
    rows = list(AuditLog.objects.all())
    assert len(rows) == 1, [(r.entity_type, r.action, r.changes) for r in rows]
    return rows[0]


def form_errors(response) -> dict:
    assert response.status_code == 200, response
    return response.context["adminform"].form.errors


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
