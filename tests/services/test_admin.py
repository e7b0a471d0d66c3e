"""The service admin writes through the service actions."""

import pytest

from audit.models import AuditLog
from services.models import Service
from tests.admin_support import admin_url, form_data, form_errors, login_operator, only_audit_row
from tests.factories import ServiceFactory, TeamFactory


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def test_admin_service_change_is_audited_once_as_the_operator(client, operator):
    payments, billing = TeamFactory(), TeamFactory()
    service = ServiceFactory(name="Payment", team=payments, tier="standard")
    url = admin_url(Service, "change", service.pk)

    response = client.post(url, form_data(client.get(url), tier="critical", team=str(billing.pk)))

    assert response.status_code == 302
    row = only_audit_row()
    assert (row.entity_type, row.action, row.entity_id) == ("service", "updated", str(service.pk))
    assert (row.actor_type, row.actor_id, row.metadata["source"]) == ("user", "ops", "admin")
    assert row.changes == {
        "tier": {"old": "standard", "new": "critical"},
        "team": {"old": str(payments.pk), "new": str(billing.pk)},
    }


def test_admin_service_add_is_audited(client, operator):
    team = TeamFactory()
    page = client.get(admin_url(Service, "add"))
    data = form_data(
        page,
        name="Bill",
        team=str(team.pk),
        service_owner="U_CAROL",
        repository_url="https://github.com/acme/bill",
        metadata='{"runbook": "https://runbooks.acme.dev/bill"}',
    )

    assert client.post(admin_url(Service, "add"), data).status_code == 302

    service = Service.objects.get(name="Bill")
    assert service.metadata == {"runbook": "https://runbooks.acme.dev/bill"}
    row = only_audit_row()
    assert row.action == "created"
    assert row.changes["service_owner"] == {"old": None, "new": "U_CAROL"}


@pytest.mark.parametrize("depth", [600, 5000])  # the audit diff's recursion; the decoder's
def test_admin_service_metadata_nested_too_deeply_is_a_form_error(client, operator, depth):
    page = client.get(admin_url(Service, "add"))
    data = form_data(page, name="Deep", metadata='{"a": ' + "[" * depth + "]" * depth + "}")

    response = client.post(admin_url(Service, "add"), data)

    assert "metadata" in form_errors(response)
    assert not Service.objects.exists()


def test_admin_service_name_taken_in_another_case_is_a_form_error(client, operator):
    ServiceFactory(name="Payment")
    page = client.get(admin_url(Service, "add"))

    response = client.post(admin_url(Service, "add"), form_data(page, name="PAYMENT"))

    assert "name" in form_errors(response)
    assert Service.objects.count() == 1
    assert AuditLog.objects.count() == 0


def test_admin_service_soft_delete_and_restore_actions(client, operator):
    service = ServiceFactory()
    changelist = admin_url(Service, "changelist")

    client.post(changelist, {"action": "soft_delete_selected", "_selected_action": [service.pk]})
    service.refresh_from_db()
    assert not service.is_active
    response = client.post(
        changelist, {"action": "restore_selected", "_selected_action": [service.pk]}, follow=True
    )

    service.refresh_from_db()
    assert service.is_active
    assert "Restored 1 service." in [str(m) for m in response.context["messages"]]
    assert list(AuditLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "deleted",
        "restored",
    ]


def test_admin_service_delete_button_soft_deletes(client, operator):
    service = ServiceFactory()

    client.post(admin_url(Service, "delete", service.pk), {"post": "yes"})

    service.refresh_from_db()
    assert not service.is_active
    assert only_audit_row().action == "deleted"


def test_admin_services_filter_by_tier_and_search_by_owner(client, operator):
    ServiceFactory(name="Payment", tier="critical", service_owner="U_BOB")
    ServiceFactory(name="Bill", tier="standard", service_owner="U_CAROL")
    changelist = admin_url(Service, "changelist")

    by_tier = client.get(changelist, {"tier": "critical"}).context["cl"].result_list
    by_owner = client.get(changelist, {"q": "U_CAROL"}).context["cl"].result_list

    assert [s.name for s in by_tier] == ["Payment"]
    assert [s.name for s in by_owner] == ["Bill"]


def test_admin_service_form_shows_is_active_read_only_and_pickers_for_people(client, operator):
    """Deleting and restoring go through their actions (and their audit), never a checkbox."""
    service = ServiceFactory()
    page = client.get(admin_url(Service, "change", service.pk)).content.decode()
    assert 'name="is_active"' not in page
    form = client.get(admin_url(Service, "change", service.pk)).context["adminform"].form
    assert {type(form.fields[f].widget).__name__ for f in ("service_owner", "primary_oncall")} == {
        "PersonPicker"
    }


def test_admin_service_repository_typed_without_a_scheme_is_https(client, operator):
    service = ServiceFactory(name="Bill")
    url = admin_url(Service, "change", service.pk)

    response = client.post(url, form_data(client.get(url), repository_url="github.com/acme/bill"))

    assert response.status_code == 302, form_errors(response)
    service.refresh_from_db()
    assert service.repository_url == "https://github.com/acme/bill"
    assert only_audit_row().changes["repository_url"]["new"] == "https://github.com/acme/bill"
