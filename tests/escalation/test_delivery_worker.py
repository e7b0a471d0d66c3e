"""A real Celery worker process delivers the outbox, honouring Slack's Retry-After."""

import time

import pytest
from django.db import transaction

from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.delivery import deliver_notification
from oncall_project.base.outbox.models import Notification
from tests.celery_worker import celery_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_delivers_after_a_rate_limit(fake_slack):
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    with transaction.atomic():
        outbox.enqueue(
            [
                outbox.Message(
                    kind="handoff", channel="C_OPS", text="Handoff", idempotency_key="worker-1"
                )
            ]
        )
    note = Notification.objects.get()
    with celery_worker() as queue:
        deliver_notification.apply_async([str(note.pk)], queue=queue)
        deliver_notification.apply_async([str(note.pk)], queue=queue)  # a duplicate delivery

        def sent():
            note.refresh_from_db()
            return note.status == "sent"

        wait_for(sent)
    assert note.attempts == 2 and note.slack_ts
    # one refused by the rate limit, one that went through; the duplicate posted nothing
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_worker_waits_for_slacks_retry_after_before_posting_again(fake_slack):
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"})
    answered = []
    fake_slack.on_answer = lambda call, payload: answered.append(time.monotonic())
    with transaction.atomic():
        outbox.enqueue(
            [outbox.Message(kind="handoff", channel="C_OPS", text="Handoff", idempotency_key="w2")]
        )
    note = Notification.objects.get()
    with celery_worker() as queue:
        deliver_notification.apply_async([str(note.pk)], queue=queue)

        def sent():
            note.refresh_from_db()
            return note.status == "sent"

        wait_for(sent)
    refused, posted = answered
    assert posted - refused >= 2.5  # Slack asked for 3 seconds' rest; not retried at once
