"""The escalation admin's answers: an operator allowed to change escalations (not only a
superuser) answers them; one already acknowledged is reported, not acknowledged again."""

import pytest
from django.contrib.auth.models import Permission

from escalation.models import Escalation
from tests.admin_support import admin_url, login_operator, messages_of
from tests.escalation.test_admin import run
from tests.factories import EscalationFactory, StaffUserFactory


def test_an_operator_allowed_to_change_escalations_resolves_them(client, db):
    operator = StaffUserFactory(username="ops", is_superuser=False)
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_escalation", "change_escalation"])
    )
    client.force_login(operator)
    escalation = EscalationFactory()

    listing = client.get(admin_url(Escalation, "changelist")).content.decode()
    assert 'value="resolve_selected"' in listing and 'value="acknowledge_selected"' in listing
    assert "Resolved 1 escalation." in messages_of(run(client, "resolve_selected", escalation))
    assert Escalation.objects.get(pk=escalation.pk).resolved_by == "ops"


@pytest.mark.django_db
def test_acknowledging_an_acknowledged_escalation_is_reported_not_counted(client):
    login_operator(client)
    acknowledged = EscalationFactory(status="acknowledged", acknowledged_by="U_ALICE")
    shown = messages_of(run(client, "acknowledge_selected", acknowledged))
    assert f"{acknowledged}: Already acknowledged; nothing to do." in shown
    assert not any(message.startswith("Acknowledged") for message in shown)
