"""Operators read the audit log in the admin; nobody writes it there."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from audit.models import AuditLog
from teams.models import Person
from tests.admin_support import admin_url, login_operator
from tests.factories import AuditLogFactory, TeamFactory


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def shown(client, **params) -> list[str]:
    response = client.get(admin_url(AuditLog, "changelist"), params)
    assert response.status_code == 200
    return sorted(row.entity_id for row in response.context["cl"].result_list)


def test_audit_log_has_no_add_change_or_delete(operator):
    request = RequestFactory().get("/")
    request.user = operator
    audit_admin = admin.site._registry[AuditLog]
    row = AuditLogFactory()
    assert not audit_admin.has_add_permission(request)
    assert not audit_admin.has_change_permission(request, row)
    assert not audit_admin.has_delete_permission(request, row)
    assert audit_admin.has_view_permission(request, row)
    assert "delete_selected" not in audit_admin.get_actions(request)


def test_audit_change_page_shows_every_field_read_only_with_old_and_new(client, operator):
    row = AuditLogFactory(changes={"tier": {"old": "standard", "new": "critical"}})

    response = client.get(admin_url(AuditLog, "change", row.pk))

    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    assert b"<td>standard</td><td>critical</td>" in response.content
    assert client.post(admin_url(AuditLog, "change", row.pk), {"action": "x"}).status_code == 403
    assert AuditLog.objects.get(pk=row.pk).action == row.action


def test_audit_changelist_filters_and_search(client, operator):
    AuditLogFactory(entity_id="t1", entity_type="team", action="created")
    AuditLogFactory(
        entity_id="s1",
        entity_type="service",
        action="updated",
        actor_type="user",
        actor_id="U_ALICE",
    )
    AuditLogFactory(
        entity_id="o1",
        entity_type="override",
        action="override_approved",
        engineer_slack_id="U_BOB",
    )
    old = AuditLogFactory(entity_id="old", entity_type="team")
    AuditLog.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    assert shown(client, entity_type="team") == ["old", "t1"]
    assert shown(client, action="override_approved") == ["o1"]
    assert shown(client, actor_type="user") == ["s1"]
    assert shown(client, q="U_ALICE") == ["s1"]
    assert shown(client, q="U_BOB") == ["o1"]
    assert shown(client, q="o1") == ["o1"]
    assert shown(client, **{"created_at__gte": "2025-01-01 00:00:00+00:00"}) == ["o1", "s1", "t1"]


def test_audit_log_names_its_people_in_the_list_and_on_the_entry(client, operator):
    """Pages show names, not ids: the actor and engineers by the directory's name beside the
    id; an actor that is a username, or an id the directory does not name, as it is."""
    Person.objects.create(slack_user_id="U_AUDIT_ANNA", display_name="Anna Audit")
    Person.objects.create(slack_user_id="U_AUDIT_BEN", real_name="Ben Audit")
    named = AuditLogFactory(
        actor_type="user",
        actor_id="U_AUDIT_ANNA",
        engineer_slack_id="U_AUDIT_BEN",
        previous_engineer_slack_id="U_AUDIT_ANNA",
    )
    AuditLogFactory(actor_type="user", actor_id="operator-1", engineer_slack_id="U_NOBODY")

    listed = client.get(admin_url(AuditLog, "changelist")).content.decode()
    entry = client.get(admin_url(AuditLog, "change", named.pk)).content.decode()

    assert "Anna Audit (U_AUDIT_ANNA)" in listed and "Ben Audit (U_AUDIT_BEN)" in listed
    assert "operator-1" in listed and ">U_NOBODY<" in listed
    assert entry.count("Anna Audit (U_AUDIT_ANNA)") == 2  # the actor, the previous engineer
    assert "Ben Audit (U_AUDIT_BEN)" in entry


def test_audit_change_page_marks_a_value_that_was_not_there(client, operator):
    created = AuditLogFactory(action="created", changes={"tier": {"old": None, "new": "low"}})

    page = client.get(admin_url(AuditLog, "change", created.pk)).content.decode()

    assert "<tr><th>tier</th><td>—</td><td>low</td></tr>" in page


def test_audit_changelist_filters_by_date_and_the_entry_shows_its_legacy_id(client, operator):
    row = AuditLogFactory(legacy_id="legacy-42")
    listed = client.get(admin_url(AuditLog, "changelist")).content.decode()
    entry = client.get(admin_url(AuditLog, "change", row.pk)).content.decode()
    assert "Past 7 days" in listed and "legacy-42" in entry


def test_audit_change_page_shows_imported_changes_of_any_shape(client, operator):
    """Imported history holds changes as the old system wrote them: a list, or a value that is
    not an old → new pair (shown as it is, in both columns)."""
    listed = AuditLogFactory(changes=["moved"])
    plain = AuditLogFactory(changes={"note": "kept as it was"})

    listed_page = client.get(admin_url(AuditLog, "change", listed.pk))
    plain_page = client.get(admin_url(AuditLog, "change", plain.pk)).content.decode()

    assert listed_page.status_code == 200
    assert '<div class="readonly">—</div>' in listed_page.content.decode()  # no old → new
    assert "<tr><th>note</th><td>kept as it was</td><td>kept as it was</td></tr>" in plain_page


@pytest.mark.parametrize("size", [2, 40])
def test_audit_changelist_takes_the_same_queries_whatever_the_size(
    client, operator, size, django_assert_max_num_queries
):
    """Each entry's team is read with the entries, not one query a row."""
    for _ in range(size):
        AuditLogFactory(team=TeamFactory(), actor_type="user", actor_id="U_ALICE")
    # session, user, the action filter's choices, the count, the page
    with django_assert_max_num_queries(5):
        response = client.get(admin_url(AuditLog, "changelist"))
    assert len(response.context["cl"].result_list) == size


def test_audit_changelist_offers_its_filters_without_reading_every_row(client, operator):
    """The actions come from the action index (a loose scan), not a DISTINCT over the log."""
    AuditLogFactory(action="created", actor_type="user")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(AuditLog, "changelist"))
    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles == ["entity type", "action", "actor type", "created at"]
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
