"""The escalation admin: read-only rows, answered by bulk actions that call the same actions as
the API and Slack (acknowledge, resolve), as the operator, audited from the admin."""

import pytest

from audit.models import AuditLog
from escalation.models import Escalation
from oncall_project.base.outbox.models import Notification
from tests.admin_support import admin_url, login_operator, messages_of
from tests.factories import EscalationFactory


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def run(client, action: str, *escalations):
    return client.post(
        admin_url(Escalation, "changelist"),
        {"action": action, "index": "0", "_selected_action": [str(e.pk) for e in escalations]},
        follow=True,
    )


def test_an_operator_resolves_the_selected_escalations_as_themselves(client, operator):
    escalation = EscalationFactory(channel_id="C_BUGS")
    response = run(client, "resolve_selected", escalation)

    assert "Resolved 1 escalation." in messages_of(response)
    escalation.refresh_from_db()
    assert (escalation.status, escalation.resolved_by) == ("resolved", "ops")
    entry = AuditLog.objects.get(action="resolved")
    assert (entry.actor_id, entry.metadata["source"]) == ("ops", "admin")
    assert Notification.objects.filter(kind="escalation_resolved").count() == 1


def test_an_operator_acknowledges_and_one_already_answered_is_reported_not_counted(
    client, operator
):
    waiting, resolved = EscalationFactory(), EscalationFactory(status="resolved")
    response = run(client, "acknowledge_selected", waiting, resolved)

    shown = messages_of(response)
    assert "Acknowledged 1 escalation." in shown
    assert f"{resolved}: Already resolved; nothing to do." in shown
    assert Escalation.objects.get(pk=waiting.pk).acknowledged_by == "ops"
    assert Escalation.objects.get(pk=resolved.pk).acknowledged_by == ""
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["acknowledged"]


def test_resolving_an_acknowledged_escalation_from_the_admin_keeps_who_acknowledged(
    client, operator
):
    acknowledged = EscalationFactory(status="acknowledged", acknowledged_by="U_ALICE")
    done = EscalationFactory(status="resolved", resolved_by="U_BOB")
    response = run(client, "resolve_selected", acknowledged, done)

    assert "Resolved 1 escalation." in messages_of(response)
    assert f"{done}: Already resolved; nothing to do." in messages_of(response)
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.acknowledged_by) == ("resolved", "U_ALICE")
    assert Escalation.objects.get(pk=done.pk).resolved_by == "U_BOB"


def test_an_escalation_row_still_cannot_be_edited_in_the_admin(client, operator):
    escalation = EscalationFactory()
    page = client.get(admin_url(Escalation, "change", escalation.pk)).content.decode()
    assert 'name="bug_id"' not in page
    client.post(admin_url(Escalation, "change", escalation.pk), {"bug_id": "BUG-X"})
    assert Escalation.objects.get(pk=escalation.pk).bug_id == escalation.bug_id
