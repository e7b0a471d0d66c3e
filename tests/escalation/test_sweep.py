"""Lost climbs: an escalation whose climb task vanished (a broker that restarted, a worker that
died holding the task until its eta) still climbs, by the sweep beat runs every minute."""

import datetime

import pytest
from django.utils import timezone

from escalation.actions import EscalationRequest, escalation_create
from escalation.models import Escalation
from escalation.selectors import escalations_overdue
from escalation.tasks import sweep_escalations
from oncall_project.base.outbox.models import Notification
from tests.celery_worker import celery_worker, wait_for
from tests.factories import EscalationFactory, ServiceFactory, TeamFactory

NOW = timezone.now()
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def grace(settings):
    settings.ESCALATION_SWEEP_GRACE_SECONDS = 60
    return datetime.timedelta(seconds=60)


def overdue(**fields) -> Escalation:
    return EscalationFactory(ack_deadline=NOW - 2 * MINUTE, **fields)


@pytest.mark.django_db
def test_only_open_escalations_past_their_deadline_and_the_grace_are_swept(grace):
    waiting = overdue(token=3)
    overdue(status="acknowledged")
    overdue(status="resolved")
    overdue(level=3)  # nowhere left to climb
    EscalationFactory(ack_deadline=NOW - grace + datetime.timedelta(seconds=1))  # within grace
    EscalationFactory(ack_deadline=None)  # no ack timeout asked for
    assert escalations_overdue(NOW) == [(waiting.pk, 3)]


@pytest.mark.django_db
def test_the_longest_overdue_are_swept_first(grace):
    later, earlier = overdue(), EscalationFactory(ack_deadline=NOW - 10 * MINUTE)
    assert [pk for pk, _ in escalations_overdue(NOW)] == [earlier.pk, later.pk]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_climb_whose_task_was_lost_still_happens_once_through_the_sweep():
    team = TeamFactory(oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    ServiceFactory(name="Payment", team=team)
    request = EscalationRequest(
        bug_id="BUG-9", services=["Payment"], channel_id="C_BUGS", ack_timeout_minutes=1
    )
    esc = escalation_create(actor=None, request=request).escalation  # its climb task is queued
    token = esc.token
    # The worker starts on a purged queue: the climb task is gone, as after a broker restart.
    with celery_worker(queue="celery", ESCALATION_SWEEP_GRACE_SECONDS="0"):
        Escalation.objects.filter(pk=esc.pk).update(ack_deadline=timezone.now() - 2 * MINUTE)
        sweep_escalations.delay()
        sweep_escalations.delay()  # beat again before the first sweep's climb ran

        def climbed() -> bool:
            esc.refresh_from_db()
            return esc.level == 2

        wait_for(climbed)
        assert sweep_escalations() == 0  # level 2's deadline is a minute away
    esc.refresh_from_db()
    assert (esc.level, esc.token) == (2, token + 1)  # once, not twice
    pages = Notification.objects.filter(escalation=esc, kind="escalation")
    assert sorted(pages.values_list("idempotency_key", flat=True)) == [
        f"escalation:{esc.pk}:level1",
        f"escalation:{esc.pk}:level2",
    ]


def test_beat_sweeps_for_lost_climbs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-escalations"]
    assert (entry["task"], entry["schedule"]) == ("escalation.tasks.sweep_escalations", 60.0)
