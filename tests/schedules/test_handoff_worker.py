"""The beat tick, end to end through a real Celery worker and the configured broker."""

import pytest
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import OnCallRecord
from schedules.selectors import local_today
from schedules.tasks import handoff_tick
from tests.celery_worker import celery_worker, wait_for
from tests.factories import ScheduleFactory, TeamFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_tick_hands_off_every_due_team_once():
    teams = [TeamFactory() for _ in range(3)]
    today = local_today(teams[0], timezone.now())
    for n, team in enumerate(teams):  # nobody yesterday, an engineer today: a handoff to audit
        ScheduleFactory(team=team, engineer_slack_id=f"U_ENG{n}", start_date=today, end_date=today)
    TeamFactory(is_active=False)
    with celery_worker(queue="celery"):
        handoff_tick.delay()
        handoff_tick.delay()  # a second beat process ticking at the same minute
        wait_for(lambda: OnCallRecord.objects.count() == 3)
        wait_for(
            lambda: all(t.next_handoff_at for t in type(teams[0]).objects.filter(is_active=True))
        )
    assert OnCallRecord.objects.count() == 3
    assert AuditLog.objects.filter(action="rotation_triggered").count() == 3
    assert sorted(OnCallRecord.objects.values_list("engineer_slack_id", flat=True)) == [
        "U_ENG0",
        "U_ENG1",
        "U_ENG2",
    ]
