"""The production topology, for real: two gunicorn nodes, two Celery workers and two beats on
PostgreSQL and Redis, with the fake Slack. A handoff due now, an escalation with a 1-minute ack
timeout that climbs, a 60-second Slack outage and a killed beat; then every message was posted
exactly once, the ledger has one row per team and day, and /readyz said 503 during the outage
and 200 after it.

Skipped on the embedded SQLite default: its database file and filesystem broker serve one host
with one process of each kind (`make run`); several nodes need PostgreSQL and Redis (CI has
them). About two minutes."""

import datetime
import json
import os
import signal
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditLog
from escalation.models import Escalation
from oncall_project.base.outbox.models import Notification
from oncall_project.celery import app as celery_app
from oncall_project.ops.beat import LEASE
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_at
from oncall_project.telemetry.leases import lease_holder
from oncall_project.tokens import api_token_create
from schedules.models import OnCallRecord
from schedules.selectors import local_today
from teams.models import TeamRole
from tests.celery_worker import wait_for
from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory
from tests.ops.metrics_support import samples
from tests.ops.processes import Processes, free_port, get, wait_until_up

pytestmark = [
    pytest.mark.multinode,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        or not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="several nodes need PostgreSQL and Redis; SQLite and the filesystem broker "
        "are the one-host embedded default",
    ),
]

OUTAGE_SECONDS = 60
NODES = ("a", "b")


def team_due_now(name: str, channel: str) -> object:
    """A team whose handoff is due (never handed off): yesterday U_BOB, today U_ALICE."""
    team = TeamFactory(name=name, slug=name.lower(), slack_channel_id=channel)
    today = local_today(team, timezone.now())
    yesterday = today - datetime.timedelta(days=1)
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=yesterday, end_date=yesterday)
    ScheduleFactory(team=team, engineer_slack_id="U_ALICE", start_date=today, end_date=today)
    return team


def post_escalation(port: int, token: str) -> tuple[int, dict]:
    body = {
        "bug_id": "BUG-4242",
        "severity": "high",
        "services": ["Payment"],
        "channel_id": "C_BUGS",
        "thread_ts": "1700000000.000100",
        "ack_timeout_minutes": 1,
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/escalations/",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "X-Request-ID": "req-multinode-1",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, json.loads(response.read())


def readyz(port: int) -> int:
    return get(f"http://127.0.0.1:{port}/readyz")[0]


def start_topology(processes: Processes, ports: dict[str, int], folder: Path) -> dict:
    started = {}
    for node in NODES:
        metrics_dir = folder / f"metrics-{node}"
        metrics_dir.mkdir()
        env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        processes.web(f"web-{node}", ports[node], **env)
        processes.worker(f"worker-{node}", **env)
        started[node] = processes.beat(f"beat-{node}", **env)
    for node in NODES:
        wait_until_up(f"http://127.0.0.1:{ports[node]}/healthz")
    return started


def topology_env(folder: Path) -> dict[str, str]:
    return {
        "LOG_FORMAT": "json",
        "BEAT_LEASE_SECONDS": "6",
        "NOTIFICATION_RETRY_CAP_SECONDS": "5",
        "NOTIFICATION_SWEEP_GRACE_SECONDS": "10",
        "READY_PENDING_MAX_AGE_SECONDS": "15",
        "WATCHDOG_INTERVAL_SECONDS": "2",
        "WATCHDOG_DELIVERY_FAILING_SECONDS": "20",
        "OPS_SLACK_CHANNEL": "C_OPS",
        "ADMINS": "ops@example.com",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder / "mail"),
    }


def test_two_nodes_two_workers_two_beats_through_an_outage_and_a_killed_beat(fake_slack, tmp_path):
    payments = team_due_now("Payments", "C_PAY")
    team_due_now("Search", "C_SEARCH")
    MembershipFactory(team=payments, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    ServiceFactory(name="Payment", team=payments)
    _, token = api_token_create(name="bugbot")
    ports = {node: free_port() for node in NODES}
    celery_app.control.purge()
    with Processes(tmp_path, **topology_env(tmp_path)) as processes:
        beats = start_topology(processes, ports, tmp_path)

        # 1. The handoff due now: both teams handed off once, the nodes ready.
        wait_for(lambda: OnCallRecord.objects.count() == 2, timeout=60)
        wait_for(lambda: all(readyz(ports[n]) == 200 for n in NODES), timeout=60)

        # 2. An escalation, and the bot's retry of it through the other node.
        created, first = post_escalation(ports["a"], token)
        retried, again = post_escalation(ports["b"], token)
        assert (created, retried) == (201, 200) and first["id"] == again["id"]

        # 3. Slack goes down for a minute; meanwhile a team falls due and the leading beat dies.
        survivor, killed_at = outage_with_a_killed_beat(fake_slack, ports, beats)

        # 4. Recovery: everything delivered, the nodes ready again, the operators told.
        scraped = recovery(fake_slack, ports)
        assert heartbeat_at(HANDOFF_TICK) > killed_at  # the survivor ticks
        assert lease_holder(LEASE).split(":")[1] == str(survivor.pid)
        web_log = processes.log("web-a")

    assert_each_message_posted_once(fake_slack)
    assert_one_ledger_row_per_team_and_day()
    assert_escalation_paged_twice(fake_slack)
    assert_operators_told_once(fake_slack, tmp_path / "mail")
    assert_metrics_from_every_process(scraped)
    assert_request_logged_and_carried(web_log)


def outage_with_a_killed_beat(fake_slack, ports: dict, beats: dict) -> tuple:
    """The surviving beat and when the other was killed."""
    fake_slack.begin_outage()
    outage_began = time.monotonic()
    team_due_now("Billing", "C_BILL")
    leader = int(lease_holder(LEASE).split(":")[1])
    (survivor,) = [proc for proc in beats.values() if proc.pid != leader]
    os.kill(leader, signal.SIGKILL)
    killed_at = timezone.now()
    wait_for(lambda: OnCallRecord.objects.count() == 3, timeout=30)  # handed off, not told
    wait_for(lambda: all(readyz(ports[n]) == 503 for n in NODES), timeout=40)
    body = json.loads(get(f"http://127.0.0.1:{ports['a']}/readyz")[1])
    assert not body["checks"]["outbox"]["ok"] and body["checks"]["handoff_tick"]["ok"]
    wait_for(lambda: Escalation.objects.get().level == 2, timeout=90)  # climbs, Slack down
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_began)))
    fake_slack.end_outage()
    return survivor, killed_at


def recovery(fake_slack, ports: dict) -> list[str]:
    """Wait for everything to be delivered and told; each node's /metrics then."""
    wait_for(lambda: not Notification.objects.exclude(status="sent").exists(), timeout=60)
    wait_for(lambda: all(readyz(ports[n]) == 200 for n in NODES), timeout=30)
    wait_for(lambda: len(ops_posts(fake_slack)) == 1, timeout=30)
    return [get(f"http://127.0.0.1:{ports[n]}/metrics")[1].decode() for n in NODES]


def ops_posts(fake) -> list[str]:
    return [c.body["text"] for c in fake.posts() if c.body["channel"] == "C_OPS"]


def assert_each_message_posted_once(fake) -> None:
    posted = Counter(
        (c.body["channel"], c.body["text"], c.body.get("thread_ts", ""))
        for c in fake.posts()
        if c.body["channel"] != "C_OPS"
    )
    assert posted and max(posted.values()) == 1, posted
    notes = list(Notification.objects.values_list("channel", "text", "thread_ts", "status"))
    assert {status for *_, status in notes} == {"sent"}
    assert sorted(posted) == sorted((channel, text, ts) for channel, text, ts, _ in notes)
    # three handoffs (a channel post and two DMs each) and the escalation's two levels
    assert len(notes) == 3 * 3 + 2


def assert_one_ledger_row_per_team_and_day() -> None:
    rows = Counter(OnCallRecord.objects.values_list("team__slug", "on_call_date"))
    assert sorted(slug for slug, _ in rows) == ["billing", "payments", "search"]
    assert set(rows.values()) == {1}
    assert set(OnCallRecord.objects.values_list("engineer_slack_id", flat=True)) == {"U_ALICE"}


def assert_escalation_paged_twice(fake) -> None:
    thread = [c.body["text"] for c in fake.posts() if c.body["channel"] == "C_BUGS"]
    assert len(thread) == 2
    assert "Level 1" in thread[0] and "Level 2" in thread[1] and "<@U_LEAD>" in thread[1]
    climb = AuditLog.objects.get(entity_type="escalation", action="escalated")
    assert climb.metadata["request_id"] == "req-multinode-1"  # the request's, in the worker
    opened = Escalation.objects.get()
    assert climb.created_at - opened.created_at >= datetime.timedelta(minutes=1)


def assert_operators_told_once(fake, mail_folder: Path) -> None:
    """The alert went by email while Slack was down; the recovery by Slack and email."""
    (recovered,) = ops_posts(fake)
    assert "Recovered: Slack messages are delivered again." in recovered
    subjects = sorted(
        line.removeprefix("Subject: ")
        for path in mail_folder.iterdir()
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )
    assert subjects == [
        "[On-call] On-call alert: slack_delivery_failing",
        "[On-call] On-call recovered: slack_delivery_failing",
    ]


def assert_metrics_from_every_process(scraped: list[str]) -> None:
    def total(name: str, **labels: str) -> float:
        return sum(
            value
            for text in scraped
            for (sample, pairs), value in samples(text).items()
            if sample == name and set(labels.items()) <= pairs
        )

    calls = "oncall_slack_api_calls_total"
    assert total(calls, method="chat.postMessage", result="server_error") >= 3  # the workers'
    assert total(calls, method="chat.postMessage", result="ok") >= 11
    assert total("oncall_handoffs_total") == 3
    assert total("oncall_escalations_climbed_total") == 2  # the same count on both nodes
    assert total("oncall_http_requests_total", route="api/v1/escalations/") == 2


def assert_request_logged_and_carried(web_log: str) -> None:
    lines = [json.loads(line) for line in web_log.splitlines() if line.startswith("{")]
    (posted,) = [line for line in lines if line.get("route") == "api/v1/escalations/"]
    assert posted["request_id"] == "req-multinode-1"
    assert (posted["user"], posted["status"], posted["method"]) == ("bugbot", 201, "POST")
    assert posted["duration_ms"] > 0
