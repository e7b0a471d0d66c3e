"""Every model of ours is in the admin, and every admin page renders for an operator."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin

from audit.models import AuditLog
from escalation.models import Escalation
from oncall_project.base.admin_actions import ActionAdmin
from oncall_project.base.admin_reading import HistoryReadMixin
from oncall_project.base.outbox.models import Notification
from oncall_project.tokens import api_token_create
from schedules.models import OnCallRecord, Override, Schedule
from services.models import Service
from teams.models import BackupLine, Person, Team, TeamMembership, Unavailability
from tests import factories
from tests.admin_support import admin_url as url
from tests.admin_support import form_data, form_errors, login_operator, messages_of
from tests.factories import StaffUserFactory

ROWS = {
    Team: factories.TeamFactory,
    BackupLine: factories.BackupLineFactory,
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


def test_every_history_admin_checks_its_addresses_and_refuses_reverts():
    history_admins = [a for a in admin.site._registry.values() if isinstance(a, SimpleHistoryAdmin)]
    assert {a.model for a in history_admins} == HISTORY
    assert all(isinstance(a, HistoryReadMixin) for a in history_admins)


@pytest.mark.parametrize("model", sorted(HISTORY, key=str), ids=lambda m: m.__name__)
def test_history_cannot_revert_around_the_actions(client, operator, model):
    row = ROWS[model]()
    version = row.history.first()
    before = model.objects.values().get(pk=row.pk)
    shown = client.get(url(model, "simple_history", row.pk, version.pk))
    assert shown.status_code == 200
    assert "revert to this version" not in shown.content.decode()  # no button offers it

    assert client.post(url(model, "simple_history", row.pk, version.pk), {}).status_code == 403

    assert model.objects.values().get(pk=row.pk) == before
    assert row.history.count() == 1


def test_a_ledger_row_cannot_be_rewritten_through_its_history_page(client, operator):
    row = factories.OnCallRecordFactory(engineer_slack_id="U_ALICE")
    version = url(OnCallRecord, "simple_history", row.pk, row.history.first().pk)
    full_form = {
        "team": str(row.team_id),
        "on_call_date": row.on_call_date.isoformat(),
        "source": row.source,
        "engineer_slack_id": "U_MALLORY",
    }

    assert client.post(version, full_form).status_code == 403

    row.refresh_from_db()
    assert row.engineer_slack_id == "U_ALICE"


@pytest.mark.parametrize("model", sorted(HISTORY, key=str), ids=lambda m: m.__name__)
@pytest.mark.parametrize("object_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_or_unknown_history_address_is_a_404(client, operator, model, object_id):
    row = ROWS[model]()
    version = row.history.first()
    assert client.get(url(model, "history", object_id)).status_code == 404
    assert client.get(url(model, "simple_history", object_id, version.pk)).status_code == 404
    assert client.get(url(model, "simple_history", row.pk, "abc")).status_code == 404
    assert client.get(url(model, "simple_history", row.pk, "9" * 30)).status_code == 404


ACTION_ADMINS = sorted(
    (m for m, a in admin.site._registry.items() if isinstance(a, ActionAdmin)), key=str
)


@pytest.mark.parametrize("model", ACTION_ADMINS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("index", [{"index": "0"}, {}], ids=["direct", "confirmed"])
def test_a_bulk_action_on_a_malformed_id_is_a_message_and_does_nothing(
    client, operator, model, index
):
    row = ROWS[model]()
    before = list(model.objects.values())
    changelist = url(model, "changelist")
    names = list(admin.site._registry[model].get_actions(client.get(changelist).wsgi_request))
    assert names

    for name in names:
        selected = {"_selected_action": [str(row.pk), "not-a-uuid"]}
        response = client.post(changelist, {"action": name, **index, **selected}, follow=True)

        assert response.status_code == 200, name
        assert "The selection names rows that do not exist; nothing was done." in messages_of(
            response
        )
    assert list(model.objects.values()) == before
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("index", ["9" * 5000, "x"])
def test_a_bulk_action_whose_index_is_no_form_on_the_page_is_read_as_the_first(
    client, operator, index
):
    # As Django's own response_action reads it; a 5,000-digit index was a 500 here (int()
    # refuses strings of 4,300 digits and more).
    team = factories.TeamFactory(name="Payments")
    response = client.post(
        url(Team, "changelist"),
        {"action": ["soft_delete_selected", ""], "index": index, "_selected_action": [team.pk]},
        follow=True,
    )
    assert response.status_code == 200
    team.refresh_from_db()
    assert not team.is_active


def test_restoring_a_service_by_a_malformed_id_is_a_message(client, operator):
    service = factories.ServiceFactory(is_active=False)
    response = client.post(
        url(Service, "changelist"),
        {"action": "restore_selected", "_selected_action": ["not-a-uuid"]},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert not service.is_active


def test_a_refused_form_is_shown_again_in_a_freshly_started_process(client, operator):
    team = factories.TeamFactory(name="Payments", slug="payments")
    page = client.get(url(Team, "change", team.pk))
    ContentType.objects.clear_cache()  # as after a restart: the next lookup is a query

    response = client.post(url(Team, "change", team.pk), form_data(page, timezone="Mars/Olympus"))

    assert "timezone" in form_errors(response)


# The change lists whose rows name a person: a row naming Alice (each of its own team).
PERSON_LISTS = {
    Schedule: lambda: factories.ScheduleFactory(engineer_slack_id="U_ALICE"),
    Override: lambda: factories.OverrideFactory(engineer_slack_id="U_ALICE"),
    Service: lambda: factories.ServiceFactory(service_owner="U_ALICE"),
    Unavailability: lambda: factories.UnavailabilityFactory(slack_user_id="U_ALICE"),
    OnCallRecord: lambda: factories.OnCallRecordFactory(engineer_slack_id="U_ALICE"),
    # shown, never picked: who asked for an override, the line's engineer now, who answered
    "requested": lambda: factories.OverrideFactory(
        engineer_slack_id="U_BOB", requested_by="U_ALICE"
    ),
    BackupLine: lambda: factories.BackupLineFactory(current_engineer="U_ALICE"),
    Escalation: lambda: factories.EscalationFactory(acknowledged_by="U_ALICE"),
}


@pytest.mark.parametrize("case", list(PERSON_LISTS), ids=lambda m: getattr(m, "__name__", m))
def test_change_lists_name_people_with_the_same_queries(
    client, operator, case, django_assert_max_num_queries
):
    model = Override if case == "requested" else case
    counts = []
    for n in range(6):
        PERSON_LISTS[case]()
        if n in (0, 5):
            with django_assert_max_num_queries(50) as queries:
                page = client.get(url(model, "changelist")).content.decode()
            assert "Alice Nguyen (U_ALICE)" in page
            counts.append(len(queries))
    assert counts[0] == counts[1]


# Every bulk action that writes, on a row it would change: an operator who may only look at
# the list is not offered it, and posting it anyway changes nothing.
BULK_WRITES = {
    "Team-soft_delete": (Team, "soft_delete_selected", factories.TeamFactory),
    "Team-restore": (Team, "restore_selected", lambda: factories.TeamFactory(is_active=False)),
    "Team-sync": (Team, "sync_from_slack", factories.TeamFactory),
    "Service-soft_delete": (Service, "soft_delete_selected", factories.ServiceFactory),
    "Override-approve": (
        Override,
        "approve_selected",
        lambda: factories.OverrideFactory(status="pending"),
    ),
    "Override-reject": (
        Override,
        "reject_selected",
        lambda: factories.OverrideFactory(status="pending"),
    ),
    "BackupLine-turn_off": (
        BackupLine,
        "turn_off_selected",
        lambda: factories.BackupLineFactory(rotation_enabled=True),
    ),
    "Person-deactivate": (
        Person,
        "deactivate",
        lambda: Person.objects.get(slack_user_id="U_ALICE"),
    ),
    "Schedule-delete": (Schedule, "delete_selected", factories.ScheduleFactory),
    "Escalation-acknowledge": (Escalation, "acknowledge_selected", factories.EscalationFactory),
    "Escalation-resolve": (Escalation, "resolve_selected", factories.EscalationFactory),
}


@pytest.mark.parametrize("case", list(BULK_WRITES))
def test_an_operator_who_may_only_look_runs_no_bulk_write(client, db, case):
    model, action, make = BULK_WRITES[case]
    row = make()
    viewer = StaffUserFactory(is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model),
            codename=f"view_{model._meta.model_name}",
        )
    )
    client.force_login(viewer)
    before = list(model.objects.values())

    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert f'value="{action}"' not in listing.content.decode()
    response = client.post(
        url(model, "changelist"),
        {"action": action, "index": "0", "post": "yes", "_selected_action": [str(row.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == []  # the list again, nothing done or refused
    assert list(model.objects.values()) == before
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("model", [Team, Service], ids=lambda m: m.__name__)
def test_soft_deleted_models_offer_no_hard_delete(client, operator, model):
    ROWS[model]()
    listing = client.get(url(model, "changelist")).content.decode()
    assert 'value="soft_delete_selected"' in listing
    assert 'value="delete_selected"' not in listing


# Lists whose rows show a related row (a member's team, an entry's or a token's user).
RELATED_LISTS = {
    TeamMembership: lambda n: factories.MembershipFactory(slack_user_id=f"U_M{n}"),
    Person: lambda n: factories.person(f"U_P{n}", username=f"person{n}"),
    AuthToken: lambda n: api_token_create(name=f"bot-{n}"),
}


@pytest.mark.parametrize("model", list(RELATED_LISTS), ids=lambda m: m.__name__)
def test_change_lists_show_related_rows_with_the_same_queries(
    client, operator, model, django_assert_max_num_queries
):
    counts = []
    for n in range(6):
        RELATED_LISTS[model](n)
        if n in (0, 5):
            with django_assert_max_num_queries(50) as queries:
                assert client.get(url(model, "changelist")).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1]
