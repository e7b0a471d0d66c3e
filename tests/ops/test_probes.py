"""/healthz and /readyz: no login, any Host, JSON with one key per check, nothing secret."""

import datetime
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from oncall_project.base.outbox.models import Notification, NotificationStatus
from oncall_project.ops import probes
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_at, heartbeat_record

ROOT = Path(__file__).resolve().parents[2]
LOAD_BALANCER = {"HTTP_HOST": "10.20.30.40:8000", "REMOTE_ADDR": "10.20.30.1"}


def tick_ran(seconds_ago: float) -> None:
    at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    heartbeat_record(name=HANDOFF_TICK, duration_seconds=0.01, now=at)


def pending_since(seconds_ago: float, status: str = NotificationStatus.PENDING) -> Notification:
    note = Notification.objects.create(
        kind="handoff", channel="C_OPS", text="hi", idempotency_key=f"probe-{seconds_ago}-{status}"
    )
    created = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    Notification.objects.filter(pk=note.pk).update(created_at=created, status=status)
    note.refresh_from_db()
    return note


def test_healthz_answers_any_host_without_login_or_database(client):
    # No django_db mark: any query would fail the test.
    response = client.get("/healthz", **LOAD_BALANCER)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_readyz_is_200_with_every_check_passing(client):
    tick_ran(30)
    response = client.get("/readyz", **LOAD_BALANCER)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "broker", "handoff_tick", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["handoff_tick"]["detail"] == "last ran 30 s ago (limit 180 s)"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reads_a_handful_of_queries(client, django_assert_max_num_queries):
    tick_ran(5)
    client.get("/readyz")  # the migration plan is read once per process, until it is empty
    with django_assert_max_num_queries(3):
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seconds_ago", "detail"),
    [(None, "has never run (is celery beat running?)"), (200, "last ran 200 s ago (limit 180 s)")],
)
def test_readyz_is_503_when_the_handoff_tick_is_stale(client, seconds_ago, detail):
    if seconds_ago is not None:
        tick_ran(seconds_ago)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["handoff_tick"] == {"ok": False, "detail": detail}
    assert checks["database"]["ok"] and checks["outbox"]["ok"]


@pytest.mark.django_db
def test_readyz_is_503_while_a_notification_is_pending_too_long(client, settings):
    tick_ran(5)
    pending_since(299)
    assert client.get("/readyz").status_code == 200
    pending_since(301)
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox == {"ok": False, "detail": "oldest pending notification 301 s old (limit 300 s)"}
    settings.READY_PENDING_MAX_AGE_SECONDS = 600
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_when_a_migration_is_not_applied(client, monkeypatch):
    tick_ran(5)
    monkeypatch.setattr(probes._Migrations, "applied", False)
    MigrationRecorder.Migration.objects.filter(app="telemetry", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "1 migrations not applied",
    }
    assert probes._Migrations.applied is False


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_does_not_answer_and_says_no_more(client, settings):
    tick_ran(5)
    if "data_folder_in" in settings.CELERY_BROKER_TRANSPORT_OPTIONS:
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "data_folder_in": "/nonexistent/q"}
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
        expected = "broker folder not writable"
    else:  # nothing listens on port 9: the connection is refused
        settings.CELERY_BROKER_URL = "redis://:hunter2@127.0.0.1:9/0"
        expected = "error: OperationalError"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "detail": expected}
    assert "hunter2" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_a_load_balancer_may_ask_healthz_with_head(client):
    response = client.head("/healthz", **LOAD_BALANCER)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_probes_refuse_writes(client):
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_ignores_old_notifications_that_were_sent_failed_or_skipped(client):
    tick_ran(5)
    for status in ("sent", "failed", "skipped"):
        pending_since(3600, status=status)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["outbox"] == {"ok": True, "detail": "nothing pending"}


@pytest.mark.django_db
def test_readiness_holds_up_to_each_limit_and_fails_past_it():
    tick_ran(0)
    at = heartbeat_at(HANDOFF_TICK)
    note = pending_since(0)

    def checks(now):
        return probes.readiness(now=now)

    at_tick_limit = checks(at + datetime.timedelta(seconds=180))["handoff_tick"]
    assert at_tick_limit == probes.Check(True, "last ran 180 s ago (limit 180 s)")
    assert not checks(at + datetime.timedelta(seconds=181))["handoff_tick"].ok
    at_outbox_limit = checks(note.created_at + datetime.timedelta(seconds=300))["outbox"]
    assert at_outbox_limit.ok, at_outbox_limit
    assert not checks(note.created_at + datetime.timedelta(seconds=301))["outbox"].ok


@pytest.mark.django_db
def test_a_503_from_readyz_is_an_answer_not_a_logged_server_error(client, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/readyz").status_code == 503  # the tick never ran
    assert [r for r in caplog.records if r.name == "django.request"] == []


# /readyz asked in a process of its own whose database cannot be reached
ASK_READYZ = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_readyz_is_503_when_the_database_is_down_and_names_only_the_error_type():
    if connection.vendor == "postgresql":  # nothing listens on port 9
        unreachable = "postgres://oncall:hunter2@127.0.0.1:9/oncall"
    else:
        unreachable = "sqlite:////nonexistent-hunter2/oncall.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oncall_project.settings"}
    env["DATABASE_URL"] = unreachable
    done = subprocess.run(
        [sys.executable, "-c", ASK_READYZ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["checks"]["database"] == {
        "ok": False,
        "detail": "error: OperationalError",
    }
    assert "hunter2" not in done.stdout
    # what the body leaves out goes to the log, for the operator
    assert "Readiness check database failed:" in done.stderr, done.stderr
