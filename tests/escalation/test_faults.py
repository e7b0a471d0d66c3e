"""Slack faults, over real HTTP to the fake and through real worker processes where Celery is
the point: an outage, a hanging Slack, a worker killed mid-delivery. Nothing is lost and
nothing is posted twice. (429 then 200 is in test_delivery_worker.py.)"""

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from oncall_project.base import slack
from oncall_project.base.outbox import delivery
from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.models import Notification
from oncall_project.base.outbox.tasks import sweep_outbox
from tests.celery_worker import celery_worker, wait_for


def enqueue(*keys: str) -> list[Notification]:
    with transaction.atomic():
        outbox.enqueue(
            [
                outbox.Message(
                    kind="handoff", channel="C_OPS", text=f"msg {key}", idempotency_key=key
                )
                for key in keys
            ]
        )
    return list(Notification.objects.filter(idempotency_key__in=keys).order_by("idempotency_key"))


def all_sent(notes: list[Notification]) -> bool:
    sent = Notification.objects.filter(pk__in=[n.pk for n in notes], status="sent")
    return sent.count() == len(notes)


def worker_pid(queue: str) -> int:
    """The pid of the worker this test process started on `queue` (a child of ours). Its
    arguments are read from its title too: with setproctitle installed, celery's worker
    renames itself "[celeryd: …] -active- (-A oncall_project worker … -Q queue …)"."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().translate(None, b"()").replace(b"\0", b" ")
            args = args.split()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"worker" in args and queue.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no worker of ours on {queue}")


def is_dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


# --- in process: the client side of a fault -----------------------------------------------------


@pytest.mark.django_db
def test_a_hanging_slack_times_out_and_the_message_is_retried_not_lost(fake_slack, settings):
    settings.SLACK_TIMEOUT_SECONDS = 1
    fake_slack.hang("chat.postMessage")
    (note,) = enqueue("hang-1")

    started = time.monotonic()
    outcome = delivery.deliver(note.pk)

    assert time.monotonic() - started < 5  # the client's timeout, not the fake's 60 s hang
    assert (outcome.status, outcome.retry_in) == ("pending", 2.0)
    note.refresh_from_db()
    assert note.status == "pending" and note.attempts == 1 and "timed out" in note.last_error
    fake_slack.release()
    assert delivery.deliver(note.pk).status == "sent"
    assert len(fake_slack.posts()) == 1 and len(fake_slack.calls_to("chat.postMessage")) == 2


@pytest.mark.django_db
def test_an_outage_is_a_temporary_failure_for_every_call(fake_slack):
    fake_slack.begin_outage()
    with pytest.raises(slack.SlackRetryLater, match="500"):
        slack.post_message(channel="C_OPS", text="hello")
    with pytest.raises(slack.SlackRetryLater, match="500"):
        slack.usergroup_members("S_PAY")
    fake_slack.end_outage()
    assert slack.post_message(channel="C_OPS", text="hello").ts
    assert [c.status for c in fake_slack.calls] == [500, 500, 200]


def test_the_fake_answers_every_method_the_product_may_call(fake_slack, settings):
    web = slack.client()
    assert web.conversations_open(users="U_ALICE")["channel"]["id"] == "D_ALICE"
    posted = web.chat_postMessage(channel="C_OPS", text="first")
    updated = web.chat_update(channel="C_OPS", ts=posted["ts"], text="second")
    assert (updated["ts"], updated["text"]) == (posted["ts"], "second")
    fake_slack.profiles["U_NINA"] = {"display_name": "nina"}
    assert slack.user_info("U_NINA").display_name == "nina"
    slack.usergroup_set_members("S_ONCALL", ["U_ALICE"])
    assert slack.usergroup_members("S_ONCALL") == ["U_ALICE"]


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_each_record_their_outcome(fake_slack, settings):
    """Two workers delivering two rows while Slack is slow: neither may fail to record its
    attempt (on SQLite, a deferred transaction that reads and then writes would get "database
    is locked" and leave a row that was perhaps posted still pending, to be posted again)."""
    settings.SLACK_TIMEOUT_SECONDS = 0.5
    fake_slack.hang("chat.postMessage")
    notes = enqueue("together-1", "together-2")
    outcomes, errors = [], []

    def deliver(pk):
        try:
            outcomes.append(delivery.deliver(pk).status)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n.pk,)) for n in notes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and outcomes == ["pending", "pending"]
    assert list(Notification.objects.values_list("attempts", flat=True)) == [1, 1]


def deliver_again_while_the_first_posts(fake_slack, text: str, wait: float) -> tuple[list, list]:
    """Deliver a message, and once the first delivery is inside Slack's (hanging) post, a
    duplicate: the outcomes `wait` seconds after the duplicate started, and at the end."""
    fake_slack.hang("chat.postMessage")
    (note,) = enqueue(text)
    outcomes = []

    def deliver():
        try:
            outcomes.append(delivery.deliver(note.pk).status)
        finally:
            connection.close()

    first = threading.Thread(target=deliver)
    first.start()
    wait_for(lambda: fake_slack.calls_to("chat.postMessage"))  # the first is inside the post
    duplicate = threading.Thread(target=deliver)
    duplicate.start()
    duplicate.join(timeout=wait)
    while_posting = list(outcomes)
    fake_slack.release()
    first.join(timeout=30)
    duplicate.join(timeout=30)
    return while_posting, outcomes


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_same_message_at_once_post_it_once(fake_slack):
    """A duplicated task (a retry and a sweep, say) runs while the first is still waiting on
    Slack: the row lock makes it skip the row instead of posting it a second time."""
    _, outcomes = deliver_again_while_the_first_posts(fake_slack, "twice-1", wait=2)
    # the client retries the dropped request itself: the first delivery posts, once
    assert sorted(outcomes) == ["noop", "sent"]
    assert len(fake_slack.posts()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivery_skips_a_message_being_posted_without_waiting_for_it(fake_slack):
    """While Slack hangs on the first delivery, a duplicate task gives up the row at once
    rather than holding a worker until the first is done."""
    while_posting, outcomes = deliver_again_while_the_first_posts(fake_slack, "busy-1", wait=5)
    assert while_posting == ["noop"], outcomes
    assert outcomes == ["noop", "sent"] and len(fake_slack.posts()) == 1


# --- real workers --------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_slack_down_for_a_while_retries_and_delivers_each_message_once(fake_slack):
    fake_slack.begin_outage()
    fast_retries = {
        "NOTIFICATION_RETRY_CAP_SECONDS": "1",
        "NOTIFICATION_MAX_ATTEMPTS": "100",
        "NOTIFICATION_SWEEP_GRACE_SECONDS": "0",
    }
    # two workers, so deliveries of different rows really overlap
    with celery_worker(queue="celery", **fast_retries), celery_worker("celery", **fast_retries):
        notes = enqueue("outage-1", "outage-2", "outage-3")  # sent to the workers on commit

        def refused(times: int) -> bool:
            return sum(c.status == 500 for c in fake_slack.calls_to("chat.postMessage")) >= times

        wait_for(lambda: refused(9))  # each message refused about three times
        assert Notification.objects.filter(status="pending").count() == 3
        sweep_outbox.delay()  # a sweeper during the outage queues duplicate deliveries
        wait_for(lambda: refused(12))
        fake_slack.end_outage()
        wait_for(lambda: all_sent(notes))
        time.sleep(1.5)  # let duplicate or retried deliveries still queued run, and post nothing

    assert sorted(c.body["text"] for c in fake_slack.posts()) == [
        "msg outage-1",
        "msg outage-2",
        "msg outage-3",
    ]
    for note in Notification.objects.all():
        assert note.status == "sent" and note.attempts >= 3 and note.slack_ts, note
        assert note.last_error == ""


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_is_recovered_by_the_sweeper_and_posts_once(fake_slack):
    fake_slack.hang("chat.postMessage")
    with celery_worker(queue="celery") as queue:
        (note,) = enqueue("killed-1")
        wait_for(lambda: fake_slack.calls_to("chat.postMessage"))  # stuck inside the delivery
        pid = worker_pid(queue)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: is_dead(pid))
    # The killed worker's transaction died with it: the row is pending, no attempt counted.
    note.refresh_from_db()
    assert (note.status, note.attempts, note.slack_ts) == ("pending", 0, "")
    fake_slack.release()

    with celery_worker(queue="celery", NOTIFICATION_SWEEP_GRACE_SECONDS="0"):

        def swept_and_sent() -> bool:
            note.refresh_from_db()
            if note.status != "sent":
                # as beat would, every minute; until the database has noticed the dead
                # worker, its row lock makes the delivery skip the row
                sweep_outbox.delay()
            return note.status == "sent"

        wait_for(swept_and_sent, interval=1.0)

    assert note.attempts == 1 and note.slack_ts
    assert len(fake_slack.posts()) == 1
    # the hung request was dropped unanswered; the sweeper's delivery is the one post
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [None, 200]
