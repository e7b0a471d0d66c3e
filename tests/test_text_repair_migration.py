"""oncall_project 0001: text that is not valid Unicode, stored before it was refused, is
replaced with U+FFFD wherever JSON kept it, and the audit log says so. Only SQLite's JSON
columns can hold it (PostgreSQL's jsonb refuses a lone surrogate)."""

import pytest
from django.db import connection
from django.test import Client

from audit.models import AuditLog
from services.models import Service
from tests.admin_support import login_operator
from tests.api_support import client_for
from tests.migration_support import migrate, unapply

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL's jsonb never held a lone surrogate"
    ),
]

BAD = {"runbook": "https://r", "x": "a\ud800", "\udfff": ["ok", "\ud83d"]}
REPAIRED = {"runbook": "https://r", "x": "a\ufffd", "\ufffd": ["ok", "\ufffd"]}
AS_ESCAPES = {"runbook": "https://r", "x": "a\\ud800", "\\udfff": ["ok", "\\ud83d"]}


def test_stored_lone_surrogates_are_replaced_and_the_audit_log_says_so():
    old = unapply("oncall_project", "0001_repair_invalid_text")
    team = old.get_model("teams", "Team").objects.create(name="Payments", slug="payments")
    service = old.get_model("services", "Service").objects.create(
        name="Payment", team=team, metadata=BAD
    )
    old.get_model("services", "HistoricalService").objects.create(
        id=service.pk,
        name="Payment",
        team=team,
        metadata=BAD,
        tier="standard",
        environment="production",
        history_date=service.created_at,
        history_type="+",
        created_at=service.created_at,
        updated_at=service.updated_at,
    )
    entry = old.get_model("audit", "AuditLog").objects.create(
        entity_type="service",
        entity_id=str(service.pk),
        action="updated",
        actor_type="user",
        actor_id="ops",
        changes={"metadata": {"old": {}, "new": BAD}},
        metadata={"source": "api"},
    )
    fine = old.get_model("services", "Service").objects.create(
        name="Fine", metadata={"emoji": "🐹"}
    )

    migrate()

    assert Service.objects.get(pk=service.pk).metadata == REPAIRED
    assert Service.history.get(id=service.pk, history_type="+").metadata == REPAIRED
    assert Service.objects.get(pk=fine.pk).metadata == {"emoji": "🐹"}
    said = AuditLog.objects.get(entity_type="service", change_reason__contains="U+FFFD")
    assert (said.entity_id, said.actor_id, said.team_id) == (str(service.pk), "system", team.pk)
    assert said.changes == {"metadata": {"old": AS_ESCAPES, "new": REPAIRED}}
    assert said.metadata["history_rows"] == 1
    kept = AuditLog.objects.get(pk=entry.pk)
    assert kept.changes == {"metadata": {"old": {}, "new": REPAIRED}}
    assert kept.metadata["source"] == "api"
    assert "U+FFFD" in kept.metadata["repaired"]
    # and what failed for everyone answers again
    staff = client_for("staff")
    for path in ("/api/v1/services/", f"/api/v1/services/{service.pk}/", "/api/v1/audit-logs/"):
        assert staff.get(path).status_code == 200, path
    page = Client()
    login_operator(page)
    for path in (f"/services/{service.pk}/", "/audit/", f"/admin/services/service/{service.pk}/"):
        assert page.get(path, follow=True).status_code == 200, path
