"""A real Celery worker runs the climb task at its eta; the fencing token stops a stale one."""

import datetime

import pytest
from django.utils import timezone

from escalation.actions import EscalationRequest, escalation_create
from escalation.tasks import climb_escalation
from tests.celery_worker import celery_worker, wait_for
from tests.factories import ServiceFactory, TeamFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_an_overdue_escalation_climbs_through_the_worker():
    team = TeamFactory(oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    ServiceFactory(name="Payment", team=team)
    with celery_worker(queue="celery"):
        # The page went out 10 minutes ago with a 1-minute ack timeout: its climb is due now.
        past = timezone.now() - datetime.timedelta(minutes=10)
        esc = escalation_create(
            actor=None,
            now=past,
            request=EscalationRequest(
                bug_id="BUG-9", services=["Payment"], channel_id="C_BUGS", ack_timeout_minutes=1
            ),
        ).escalation
        stale_token = esc.token
        climb_escalation.delay(str(esc.pk), stale_token)  # a duplicate delivery of the same task

        def climbed():
            esc.refresh_from_db()
            return esc.level == 2

        wait_for(climbed)
    esc.refresh_from_db()
    assert esc.level == 2  # once, not twice, despite the duplicate
    assert esc.token == stale_token + 1
