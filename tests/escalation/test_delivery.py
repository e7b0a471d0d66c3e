import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from oncall_project.base.outbox import delivery
from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.models import Notification


def queue(key="k1", channel="C_PAYMENTS", **fields) -> Notification:
    with transaction.atomic():
        outbox.enqueue(
            [
                outbox.Message(
                    kind="handoff", channel=channel, text="Hello", idempotency_key=key, **fields
                )
            ]
        )
    return Notification.objects.get(idempotency_key=key)


def test_without_a_token_messages_are_stored_as_skipped(db, settings):
    settings.SLACK_BOT_TOKEN = ""
    note = queue()
    assert note.status == "skipped" and "SLACK_BOT_TOKEN" in note.last_error


def test_the_same_key_is_queued_once(db, settings):
    settings.SLACK_BOT_TOKEN = ""
    queue()
    queue()
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        outbox.enqueue([outbox.Message(kind="x", channel="C1", text="t", idempotency_key="k")])


def test_delivery_posts_once_and_records_the_ts(db, fake_slack):
    note = queue(blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}])
    assert delivery.deliver(note.pk).status == "sent"
    assert delivery.deliver(note.pk).status == "noop"  # a duplicated task posts nothing
    note.refresh_from_db()
    assert (note.status, note.attempts, note.slack_ts) == ("sent", 1, "1700.000001")
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert call.body["channel"] == "C_PAYMENTS" and call.body["blocks"][0]["type"] == "section"
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"


def test_a_thread_reply_carries_thread_ts(db, fake_slack):
    note = queue(thread_ts="1699.000100")
    delivery.deliver(note.pk)
    assert fake_slack.calls_to("chat.postMessage")[0].body["thread_ts"] == "1699.000100"


def test_rate_limit_retries_after_slacks_retry_after(db, fake_slack):
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
    note = queue()
    outcome = delivery.deliver(note.pk)
    assert (outcome.status, outcome.retry_in) == ("pending", 7.0)
    note.refresh_from_db()
    assert note.attempts == 1 and "429" in note.last_error
    assert delivery.deliver(note.pk).status == "sent"


def test_server_errors_back_off_then_give_up(db, fake_slack, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    for _ in range(3):
        fake_slack.script(503)
    note = queue()
    assert delivery.deliver(note.pk).retry_in == 2.0
    assert delivery.deliver(note.pk).retry_in == 4.0
    assert delivery.deliver(note.pk).status == "failed"
    note.refresh_from_db()
    assert note.status == "failed" and "Gave up after 3 attempts" in note.last_error


def test_backoff_is_capped(settings):
    settings.NOTIFICATION_RETRY_CAP_SECONDS = 120
    assert [delivery.backoff(n) for n in (1, 6, 7, 20)] == [2.0, 64.0, 120.0, 120.0]


def test_a_permanent_refusal_fails_at_once(db, fake_slack):
    fake_slack.script(200, {"ok": False, "error": "channel_not_found"})
    note = queue()
    assert delivery.deliver(note.pk).status == "failed"
    note.refresh_from_db()
    assert "channel_not_found" in note.last_error and note.attempts == 1


def test_unreachable_slack_is_a_temporary_failure(db, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = "http://127.0.0.1:9/api/"  # discard port: connection refused
    note = queue()
    outcome = delivery.deliver(note.pk)
    assert outcome.status == "pending" and outcome.retry_in == 2.0


def test_sweeper_finds_only_stranded_pending_rows(db, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    old, fresh = queue("old"), queue("fresh")
    Notification.objects.filter(pk=old.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert delivery.stranded(timezone.now()) == [old.pk]
    assert fresh.pk not in delivery.stranded(timezone.now())


def test_a_long_outage_gives_up_only_after_the_give_up_time(db, fake_slack, settings):
    settings.NOTIFICATION_GIVE_UP_SECONDS = 3600
    fake_slack.script(503)
    fake_slack.script(503)
    note = queue()
    assert delivery.deliver(note.pk).status == "pending"
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert delivery.deliver(note.pk).status == "failed"


# --- edits (chat.update) of a posted message ---------------------------------------------


def queue_edit(original_key="k1", key="k1:edit", channel="") -> Notification:
    line = "Approved by <@U_LEAD>"
    with transaction.atomic():
        outbox.enqueue(
            [
                outbox.Message(
                    kind="override_request_update",
                    channel=channel,
                    text=line,
                    idempotency_key=key,
                    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": line}}],
                    update_of=original_key,
                )
            ]
        )
    return Notification.objects.get(idempotency_key=key)


BUTTONS = {"type": "actions", "elements": [{"type": "button", "action_id": "override_approve"}]}
REQUEST = {"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}


def test_an_edit_waits_for_its_original_then_replaces_the_buttons(db, fake_slack):
    original = queue(blocks=[REQUEST, BUTTONS])
    edit = queue_edit()
    outcome = delivery.deliver(edit.pk)
    assert (outcome.status, outcome.retry_in) == ("pending", 2.0)
    edit.refresh_from_db()
    assert edit.last_error == "Waiting for the original message to be posted."
    assert fake_slack.calls == []  # nothing edited before there is a message to edit

    assert delivery.deliver(original.pk).status == "sent"
    assert delivery.deliver(edit.pk).status == "sent"
    (update,) = fake_slack.calls_to("chat.update")
    original.refresh_from_db()
    assert (update.body["channel"], update.body["ts"]) == ("C_PAYMENTS", original.slack_ts)
    assert update.body["text"] == "Hello\nApproved by <@U_LEAD>"
    assert [b["type"] for b in update.body["blocks"]] == ["section", "section"]
    edit.refresh_from_db()
    assert (edit.status, edit.channel, edit.slack_ts) == ("sent", "C_PAYMENTS", original.slack_ts)
    assert delivery.deliver(edit.pk).status == "noop"
    assert len(fake_slack.calls_to("chat.update")) == 1


def test_a_posted_message_with_buttons_wakes_the_edits_waiting_for_it(
    db, fake_slack, django_capture_on_commit_callbacks
):
    from tests.celery_worker import eager_tasks

    original = queue(blocks=[REQUEST, BUTTONS])
    edit = queue_edit()
    delivery.deliver(edit.pk)  # waiting, its retry a backoff away
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        delivery.deliver(original.pk)  # on commit, the waiting edit is delivered at once
    edit.refresh_from_db()
    assert edit.status == "sent"
    assert [c.method for c in fake_slack.calls] == ["chat.postMessage", "chat.update"]


@pytest.mark.parametrize(
    ("original_status", "why"),
    [("failed", "is failed"), ("skipped", "is skipped"), (None, "was never queued")],
)
def test_an_edit_of_a_message_that_will_never_be_posted_is_skipped(
    db, fake_slack, original_status, why
):
    if original_status:
        original = queue(blocks=[REQUEST, BUTTONS])
        Notification.objects.filter(pk=original.pk).update(status=original_status)
    edit = queue_edit()
    assert delivery.deliver(edit.pk).status == "skipped"
    edit.refresh_from_db()
    assert (edit.status, edit.last_error) == (
        "skipped",
        f"Nothing to edit: the original message {why}.",
    )
    assert fake_slack.calls == []


def test_an_edit_slack_refuses_fails_at_once(db, fake_slack):
    original = queue(blocks=[REQUEST, BUTTONS])
    delivery.deliver(original.pk)
    fake_slack.messages.clear()  # deleted in Slack meanwhile: chat.update answers not found
    edit = queue_edit()
    assert delivery.deliver(edit.pk).status == "failed"
    edit.refresh_from_db()
    assert "message_not_found" in edit.last_error
