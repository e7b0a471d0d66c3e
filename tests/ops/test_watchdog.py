"""The watchdog: a stale handoff tick or failing Slack deliveries are told once, by a direct
Slack post and by email, and so is the recovery, however many nodes watch."""

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from oncall_project.base.outbox.models import Notification
from oncall_project.ops import watchdog
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_record
from oncall_project.telemetry.models import Alert
from tests.celery_worker import celery_worker, wait_for


@pytest.fixture
def operators(settings, fake_slack):
    settings.OPS_SLACK_CHANNEL = "C_OPS"
    settings.ADMINS = [("Ops", "ops@example.com")]
    return fake_slack


def tick_ran(minutes_ago: float) -> None:
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    heartbeat_record(name=HANDOFF_TICK, duration_seconds=0.01, now=at)


def ops_posts(fake) -> list[str]:
    return [c.body["text"] for c in fake.posts() if c.body["channel"] == "C_OPS"]


def failing_notification(key: str, minutes_ago: float, **fields) -> None:
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    note = Notification.objects.create(
        kind="handoff", channel="C_TEAM", text="hi", idempotency_key=key, **fields
    )
    Notification.objects.filter(pk=note.pk).update(created_at=created)


@pytest.mark.django_db
def test_a_stale_tick_is_told_once_and_its_recovery_once(operators):
    tick_ran(6)
    told = watchdog.check()
    assert [a.name for a in told] == ["handoff_tick_stale"]
    (post,) = ops_posts(operators)
    assert "has not run for 6 minutes" in post and post.startswith("*On-call alert")
    assert [m.subject for m in mail.outbox] == ["[On-call] On-call alert: handoff_tick_stale"]
    assert watchdog.check() == []  # still stale: nothing more is said
    tick_ran(0)
    assert [a.name for a in watchdog.check()] == ["handoff_tick_stale"]
    assert watchdog.check() == []
    posts = ops_posts(operators)
    assert len(posts) == 2 and "Recovered: The handoff tick runs again." in posts[1]
    assert len(mail.outbox) == 2
    alert = Alert.objects.get(name="handoff_tick_stale")
    assert (alert.firing, alert.notified_at is not None) == (False, True)


@pytest.mark.django_db
def test_a_tick_that_never_ran_or_ran_recently_raises_nothing(operators):
    assert watchdog.check() == []
    tick_ran(4)
    assert watchdog.check() == []
    assert ops_posts(operators) == [] and mail.outbox == []
    assert set(Alert.objects.values_list("name", "firing")) == {
        ("handoff_tick_stale", False),
        ("slack_delivery_failing", False),
    }


@pytest.mark.django_db
def test_failing_deliveries_are_told_when_they_outlast_the_threshold(operators, settings):
    tick_ran(0)
    failing_notification("young", 5, attempts=3, last_error="Slack server error 500.")
    assert watchdog.check() == []
    failing_notification("old", 11, attempts=9, last_error="Slack server error 500.")
    failing_notification("never-tried", 30)  # pending, never attempted: not a failure
    (alert,) = watchdog.check()
    assert alert.name == "slack_delivery_failing" and "failing since" in alert.detail
    Notification.objects.filter(idempotency_key__in=["young", "old"]).update(status="sent")
    (recovered,) = watchdog.check()
    assert not recovered.firing
    Notification.objects.filter(idempotency_key="old").update(status="failed")  # given up now
    (again,) = watchdog.check()
    assert again.firing and "1 were given up recently" in again.detail


@pytest.mark.django_db
def test_a_message_given_up_long_ago_does_not_keep_the_alert_firing(operators):
    tick_ran(0)
    failing_notification("last-week", 60 * 24 * 7, status="failed", attempts=60)
    Notification.objects.filter(idempotency_key="last-week").update(
        updated_at=timezone.now() - datetime.timedelta(days=7)
    )
    assert watchdog.check() == []
    assert not Alert.objects.get(name="slack_delivery_failing").firing


@pytest.mark.django_db
def test_with_slack_down_the_email_still_tells_it(operators):
    operators.begin_outage()
    tick_ran(10)
    assert len(watchdog.check()) == 1
    assert ops_posts(operators) == [] and len(mail.outbox) == 1
    assert watchdog.check() == []  # told by one path: told


@pytest.mark.django_db
def test_when_no_path_works_the_alert_stays_untold_and_is_told_later(fake_slack, settings):
    settings.OPS_SLACK_CHANNEL = "C_OPS"  # and no ADMINS
    fake_slack.begin_outage()
    tick_ran(10)
    assert watchdog.check() == []
    assert Alert.objects.get(name="handoff_tick_stale").notified_at is None
    fake_slack.end_outage()
    assert len(watchdog.check()) == 1
    assert len(ops_posts(fake_slack)) == 1


@pytest.mark.django_db
def test_with_slack_down_and_the_mail_server_refusing_the_alert_stays_untold(operators, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    operators.begin_outage()
    tick_ran(10)
    assert watchdog.check() == []
    assert Alert.objects.get(name="handoff_tick_stale").notified_at is None


@pytest.mark.django_db
def test_with_no_operations_channel_or_mail_server_the_log_tells_it(fake_slack, settings, caplog):
    """Slack is configured for the teams but not for operators, and ADMINS have no mail server:
    the log is the one path, at ERROR while firing and WARNING for the recovery."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    tick_ran(10)
    with caplog.at_level(logging.WARNING, logger="oncall_project.ops.alerting"):
        assert [a.name for a in watchdog.check()] == ["handoff_tick_stale"]
        tick_ran(0)
        assert [a.name for a in watchdog.check()] == ["handoff_tick_stale"]
    assert fake_slack.calls == []
    assert [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records] == [
        ("ERROR", "On-call alert"),
        ("WARNING", "On-call recovered"),
    ]


@pytest.mark.django_db(transaction=True)
def test_several_nodes_watching_at_once_tell_it_once(operators):
    tick_ran(10)
    start = threading.Barrier(4)
    told = []

    def node():
        start.wait()
        try:
            told.extend(watchdog.check())
        finally:
            connection.close()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(told) == 1
    assert len(ops_posts(operators)) == 1 and len(mail.outbox) == 1


def test_the_watchdog_thread_is_off_with_a_zero_interval(settings):
    settings.WATCHDOG_INTERVAL_SECONDS = 0
    assert watchdog.start_thread() is None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_watchdog(fake_slack):
    tick_ran(10)
    env = {"WATCHDOG_INTERVAL_SECONDS": "0.5", "OPS_SLACK_CHANNEL": "C_OPS"}
    with celery_worker(**env):
        wait_for(lambda: ops_posts(fake_slack))
    (post,) = ops_posts(fake_slack)
    assert "handoff tick has not run for 10 minutes" in post
