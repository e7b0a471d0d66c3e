"""/metrics: an escalation counts as resolved when it is resolved, not when it is acknowledged."""

import pytest

from escalation.actions import EscalationRequest, escalation_acknowledge, escalation_create
from oncall_project.base.actors import Actor
from tests.factories import ServiceFactory, TeamFactory
from tests.ops.metrics_support import scrape, value


@pytest.mark.django_db
def test_an_acknowledged_escalation_is_not_counted_resolved(client):
    ServiceFactory(name="Payment", team=TeamFactory(oncall_engineer="U_ALICE"))
    request = EscalationRequest(bug_id="BUG-1", services=["Payment"], channel_id="C_BUGS")
    escalation = escalation_create(actor=None, request=request).escalation
    escalation_acknowledge(escalation_id=escalation.pk, actor=Actor.slack("U_ALICE"))
    text = scrape(client)
    assert value(text, "oncall_escalations_acknowledged_total") == 1
    assert value(text, "oncall_escalations_resolved_total") == 0
