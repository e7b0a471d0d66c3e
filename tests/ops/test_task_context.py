"""Through a real Celery worker: the request id of the request that queued a task reaches the
task's audit rows, and with PROMETHEUS_MULTIPROC_DIR the worker's counts reach /metrics."""

import contextlib
import datetime
import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from audit.context import request_context
from audit.models import AuditLog
from escalation.actions import EscalationRequest, escalation_create
from escalation.tasks import climb_escalation
from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.models import Notification
from oncall_project.ops.logs import JsonFormatter, RequestContextFilter
from tests.api_support import token_client
from tests.celery_worker import celery_worker, wait_for
from tests.factories import ServiceFactory, TeamFactory
from tests.ops.metrics_support import scrape, value


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_writes_audit_with_that_request_id():
    team = TeamFactory(oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    ServiceFactory(name="Payment", team=team)
    with celery_worker(queue="celery"):
        token = request_context.set({"request_id": "req-7f3a", "ip": "127.0.0.1"})
        try:  # as audit.middleware does around a request; the climb is queued on commit
            past = timezone.now() - datetime.timedelta(minutes=10)
            escalation_create(
                actor=None,
                now=past,
                request=EscalationRequest(
                    bug_id="BUG-77",
                    services=["Payment"],
                    channel_id="C_BUGS",
                    ack_timeout_minutes=1,
                ),
            )
        finally:
            request_context.reset(token)
        climbed = wait_for(lambda: AuditLog.objects.filter(action="escalated").first())
    assert climbed.metadata["request_id"] == "req-7f3a"
    created = AuditLog.objects.get(action="created", entity_type="escalation")
    assert created.metadata["request_id"] == "req-7f3a"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_counts_made_in_a_worker_show_on_metrics_in_multiprocess_mode(
    client, fake_slack, settings, tmp_path
):
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    with celery_worker(queue="celery", PROMETHEUS_MULTIPROC_DIR=str(tmp_path)):
        with transaction.atomic():
            outbox.enqueue([outbox.Message("handoff", "C_OPS", "hello", "multiproc-1")])
        climb_escalation.delay("not-an-id", 1)  # fails in the worker: no such escalation
        wait_for(lambda: Notification.objects.filter(status="sent").exists())

        def failure_counted():
            text = scrape(client)
            task = "escalation.tasks.climb_escalation"
            return value(text, "oncall_celery_task_failures_total", task=task) == 1 and text

        text = wait_for(failure_counted)
    sent = {"method": "chat.postMessage", "result": "ok"}
    assert value(text, "oncall_slack_api_calls_total", **sent) == 1
    assert value(text, "oncall_notifications", status="sent") == 1


@contextlib.contextmanager
def json_lines(logger_name: str) -> Iterator[io.StringIO]:
    """What LOG_FORMAT=json writes for `logger_name`, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def parsed(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_log_line_in_a_task_is_one_json_object_with_the_request_id_and_task():
    token = request_context.set({"request_id": "req-1", "task": "schedules.tasks.handoff_tick"})
    try:
        with json_lines("tests.ops") as stream:
            logging.getLogger("tests.ops").warning("handed off %d teams\nsecond line", 3)
    finally:
        request_context.reset(token)
    (line,) = parsed(stream)
    assert line["message"] == "handed off 3 teams\nsecond line"
    assert line["request_id"] == "req-1"
    assert line["task"] == "schedules.tasks.handoff_tick"
    assert (line["level"], line["name"]) == ("WARNING", "tests.ops")
    assert "time" in line


@pytest.mark.django_db
def test_each_request_is_logged_with_id_user_route_status_and_duration():
    api = token_client()
    with json_lines("oncall.requests") as stream:
        api.get("/api/v1/me/", HTTP_X_REQUEST_ID="req-from-the-bot")
        api.get("/api/v1/teams/no-such-team/")
    me, missing = parsed(stream)
    assert me["request_id"] == "req-from-the-bot"
    assert me["user"].startswith("bot-")  # the token's name
    assert (me["route"], me["method"], me["status"]) == ("api/v1/me/", "GET", 200)
    assert me["duration_ms"] > 0
    assert (missing["status"], missing["route"]) == (404, "api/v1/teams/<team>/")
    assert len(missing["request_id"]) == 32  # made up by audit.middleware when none was sent


def test_a_line_that_names_its_own_request_id_keeps_it():
    token = request_context.set({"request_id": "req-outer", "task": "schedules.tasks.handoff_tick"})
    try:
        with json_lines("tests.ops") as stream:
            logging.getLogger("tests.ops").info("replayed", extra={"request_id": "req-own"})
    finally:
        request_context.reset(token)
    (line,) = parsed(stream)
    assert line["request_id"] == "req-own"
    assert line["task"] == "schedules.tasks.handoff_tick"  # what it does not name is stamped


@pytest.mark.django_db
def test_the_logged_duration_is_the_timed_one_in_milliseconds(client):
    api = token_client()
    labels = {"route": "api/v1/me/", "method": "GET"}
    name = "oncall_http_request_duration_seconds_sum"
    before = value(scrape(client), name, **labels) or 0
    with json_lines("oncall.requests") as stream:
        api.get("/api/v1/me/")
    seconds = value(scrape(client), name, **labels) - before
    (line,) = parsed(stream)
    assert line["duration_ms"] == pytest.approx(seconds * 1000, abs=0.01)
