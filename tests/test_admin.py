"""Every model of ours is in the admin, and every admin page renders for an operator."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditLog
from escalation.models import Escalation, Notification
from schedules.models import OnCallRecord, Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership, Unavailability
from tests import factories
from tests.admin_support import admin_url as url
from tests.admin_support import form_data, form_errors, login_operator

ROWS = {
    Team: factories.TeamFactory,
    TeamMembership: factories.MembershipFactory,
    Unavailability: factories.UnavailabilityFactory,
    Person: lambda: factories.person("U_ALICE"),
    Service: factories.ServiceFactory,
    Schedule: factories.ScheduleFactory,
    Override: factories.OverrideFactory,
    OnCallRecord: factories.OnCallRecordFactory,
    AuditLog: factories.AuditLogFactory,
    Escalation: factories.EscalationFactory,
    Notification: factories.NotificationFactory,
}
READ_ONLY = {AuditLog, OnCallRecord, Escalation, Notification}
HISTORY = {model for model in ROWS if hasattr(model, "history")}


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def test_every_model_is_registered():
    assert set(ROWS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", list(ROWS), ids=lambda m: m.__name__)
def test_changelist_and_change_page_render(client, operator, model):
    row = ROWS[model]()
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "U_ALICE"}).status_code == 200
    assert client.get(url(model, "change", row.pk)).status_code == 200
    if model in HISTORY:
        assert client.get(url(model, "history", row.pk)).status_code == 200


@pytest.mark.parametrize("model", sorted(set(ROWS) - READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_add_page_renders(client, operator, model):
    assert client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_read_only_models_refuse_add_change_and_delete(client, operator, model):
    row = ROWS[model]()
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "change", row.pk), {}).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
    model_admin = admin.site._registry[model]
    assert "delete_selected" not in model_admin.get_actions(client.get("/").wsgi_request)


@pytest.mark.parametrize("model", sorted(HISTORY - READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_history_cannot_revert_around_the_actions(client, operator, model):
    row = ROWS[model]()
    version = row.history.first()
    assert client.post(url(model, "simple_history", row.pk, version.pk), {}).status_code == 403


@pytest.mark.parametrize("model", sorted(HISTORY - READ_ONLY, key=str), ids=lambda m: m.__name__)
def test_a_malformed_history_version_address_is_a_404(client, operator, model):
    row = ROWS[model]()
    version = row.history.first()
    assert client.get(url(model, "simple_history", "not-a-uuid", version.pk)).status_code == 404
    assert client.get(url(model, "simple_history", row.pk, "abc")).status_code == 404


def test_a_refused_form_is_shown_again_in_a_freshly_started_process(client, operator):
    team = factories.TeamFactory(name="Payments", slug="payments")
    page = client.get(url(Team, "change", team.pk))
    ContentType.objects.clear_cache()  # as after a restart: the next lookup is a query

    response = client.post(url(Team, "change", team.pk), form_data(page, timezone="Mars/Olympus"))

    assert "timezone" in form_errors(response)
