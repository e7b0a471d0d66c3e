import datetime
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from oncall_project.base.outbox import delivery
from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.models import Notification
from oncall_project.base.outbox.tasks import sweep_outbox
from oncall_project.celery import app
from tests.celery_worker import eager_tasks
from tests.factories import TeamFactory


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


def test_a_message_with_nowhere_to_go_is_not_queued(db, settings):
    """E.g. a DM to someone with no Slack id: nothing to send, nothing to fail and alert on."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    with transaction.atomic():
        rows = outbox.enqueue(
            [outbox.Message(kind="handoff_dm", channel="", text="Hi", idempotency_key="dm")]
        )
    assert rows == [] and not Notification.objects.exists()


def test_a_queued_message_keeps_the_team_it_is_about(db, settings):
    settings.SLACK_BOT_TOKEN = ""
    team = TeamFactory()
    assert queue(team_id=team.pk).team == team


def test_a_delivery_task_is_sent_only_once_the_message_is_committed(
    db, settings, django_capture_on_commit_callbacks
):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    app.control.purge()
    with django_capture_on_commit_callbacks() as on_commit:
        queue()
        assert app.control.purge() == 0  # a worker must not look for a row not yet committed
    assert len(on_commit) == 1
    on_commit[0]()
    assert app.control.purge() == 1


def test_delivery_posts_once_and_records_the_ts(db, fake_slack):
    note = queue(blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}])
    assert delivery.deliver(note.pk).status == "sent"
    assert delivery.deliver(note.pk).status == "noop"  # a duplicated task posts nothing
    note.refresh_from_db()
    assert (note.status, note.attempts, note.slack_ts) == ("sent", 1, "1700.000001")
    assert note.sent_at is not None  # the Notification admin shows when it went out
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


@pytest.mark.parametrize(
    ("header", "retry_in"),
    [
        ({"retry-after": "7"}, 7.0),  # a proxy's lower case
        ({"Retry-After": "soon"}, 30.0),
        ({"Retry-After": "Wed, 09 Dec 2026 07:28:00 GMT"}, 30.0),
        ({"Retry-After": "inf"}, 30.0),
        ({"Retry-After": "nan"}, 30.0),
        ({"Retry-After": "-5"}, 30.0),
        ({"Retry-After": "1e12"}, 86400.0),
    ],
)
def test_a_rate_limit_with_an_odd_retry_after_is_still_retried(db, fake_slack, header, retry_in):
    """Whatever Slack (or a proxy on the way) says in Retry-After, the message stays queued
    and goes out later: a number of seconds, at most a day, else Slack's usual 30 s."""
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, header)
    note = queue()
    outcome = delivery.deliver(note.pk)
    assert (outcome.status, outcome.retry_in) == ("pending", retry_in)
    assert delivery.deliver(note.pk).status == "sent"


@pytest.mark.parametrize("ts", ["9" * 40, "soon", 1700000000.0001, None])
def test_a_message_slack_answers_oddly_about_is_recorded_as_sent_once(db, fake_slack, ts):
    """A `ts` we cannot keep must not fail the record of a message that went out: the next
    delivery would post it again."""
    fake_slack.script(200, {"ok": True, "channel": "C_PAYMENTS", "ts": ts})
    note = queue()
    assert delivery.deliver(note.pk).status == "sent"
    note.refresh_from_db()
    assert (note.status, note.slack_ts) == ("sent", "")
    assert delivery.deliver(note.pk).status == "noop"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


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


def test_an_answer_cut_short_is_a_temporary_failure_and_the_message_goes_again(db, fake_slack):
    fake_slack.cut_next_answer_short()
    note = queue()
    outcome = delivery.deliver(note.pk)
    assert outcome.status == "pending" and outcome.retry_in == 2.0
    note.refresh_from_db()
    assert note.attempts == 1 and "Could not reach Slack: IncompleteRead" in note.last_error
    assert delivery.deliver(note.pk).status == "sent"
    note.refresh_from_db()
    assert note.status == "sent" and note.slack_ts


def test_sweeper_finds_only_stranded_pending_rows(db, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    old, fresh = queue("old"), queue("fresh")
    Notification.objects.filter(pk=old.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert delivery.stranded(timezone.now()) == [old.pk]
    assert fresh.pk not in delivery.stranded(timezone.now())


def test_the_sweeper_takes_only_pending_rows_the_oldest_due_first(db, settings):
    """Sent, failed and skipped rows are never swept: a full batch of them would crowd out the
    message whose task was lost."""
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    rows = [queue(key) for key in ("newer", "older", "sent", "failed", "skipped")]
    for minutes, row in zip((10, 20, 30, 30, 30), rows, strict=True):
        Notification.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() - datetime.timedelta(minutes=minutes)
        )
    for status in ("sent", "failed", "skipped"):
        Notification.objects.filter(idempotency_key=status).update(status=status)
    assert delivery.stranded(timezone.now()) == [rows[1].pk, rows[0].pk]


def test_the_sweeper_leaves_a_rate_limited_message_until_slacks_retry_after(db, fake_slack):
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "600"})
    note = queue()
    assert delivery.deliver(note.pk).retry_in == 600.0
    in_five_minutes = timezone.now() + datetime.timedelta(minutes=5)
    assert delivery.stranded(in_five_minutes) == []  # its retry is still to come
    assert delivery.stranded(in_five_minutes + datetime.timedelta(minutes=10)) == [note.pk]


def test_the_sweeper_delivers_each_stranded_message(db, fake_slack):
    queue("k1"), queue("k2")
    Notification.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=10))
    with eager_tasks():
        assert sweep_outbox() == 2
    assert list(Notification.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(fake_slack.posts()) == 2


def test_a_message_given_up_is_logged_as_an_error(db, fake_slack, caplog):
    fake_slack.script(200, {"ok": False, "error": "channel_not_found"})
    note = queue()
    with caplog.at_level(logging.ERROR, logger=delivery.__name__):
        delivery.deliver(note.pk)
    (entry,) = caplog.records
    assert entry.levelname == "ERROR" and "channel_not_found" in entry.getMessage()


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
    assert edit.sent_at is not None
    assert delivery.deliver(edit.pk).status == "noop"
    assert len(fake_slack.calls_to("chat.update")) == 1


def test_a_posted_message_with_buttons_wakes_the_edits_waiting_for_it(
    db, fake_slack, django_capture_on_commit_callbacks
):
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


def test_an_edit_of_a_message_sent_without_a_ts_is_skipped_not_sent_to_slack(db, fake_slack):
    """A row marked sent with no ts to address: nothing to edit, and no chat.update that Slack
    would refuse, to fail and alert on."""
    original = queue(blocks=[REQUEST, BUTTONS])
    Notification.objects.filter(pk=original.pk).update(status="sent", slack_ts="")
    edit = queue_edit()
    assert delivery.deliver(edit.pk).status == "skipped"
    assert Notification.objects.get(pk=edit.pk).status == "skipped"
    assert fake_slack.calls == []
