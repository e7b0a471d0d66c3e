"""Concurrent use of the embedded default (SQLite, the filesystem broker): `make run`'s web
server, worker and beat as real processes, on a var dir of their own. Eight API clients writing
at once get no 5xx and no refused connection, every write is there afterwards, and every Slack
message those writes queued is delivered by the worker."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings

from tests.celery_worker import wait_for
from tests.embedded_stack import (
    embedded_env,
    embedded_stack,
    free_port,
    log_tail,
    manage,
    staff_token,
    wait_until_serving,
)
from tests.fake_slack import FakeSlackServer

CLIENTS = 8
ROUNDS = 3  # each round: a service, a member and an escalation → 72 writes in all
BURST = 64  # connections arriving while the web server accepts none


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """An embedded var dir, migrated, as `make run` leaves it."""
    var_dir = tmp_path_factory.mktemp("embedded") / "var"
    manage(var_dir, "migrate", "--no-input")
    return var_dir


def writes_of(client: int) -> list[tuple[str, dict]]:
    """One client's writes, interleaving the three kinds."""
    writes = []
    for n in range(ROUNDS):
        tag = f"{client}-{n}"
        writes += [
            ("/api/v1/services/", {"name": f"svc-{tag}", "team": "load", "tier": "critical"}),
            ("/api/v1/teams/load/members/", {"slack_user_id": f"U_LOAD{client}X{n}"}),
            (
                "/api/v1/escalations/",
                {
                    "bug_id": f"BUG-{tag}",
                    "severity": "high",
                    "services": ["anchor"],
                    "channel_id": "C_BUGS",
                    "thread_ts": "1700000000.000100",
                },
            ),
        ]
    return writes


def send_all(base: str, token: str) -> list[str]:
    """Every client's writes at once (the clients start at the same instant, one new connection
    per request); the outcome of each: its status code, or 'refused'."""
    start = threading.Barrier(CLIENTS)
    headers = {"Authorization": f"Token {token}"}

    def client(number: int) -> list[str]:
        start.wait()
        outcomes = []
        for path, body in writes_of(number):
            try:
                response = requests.post(base + path, json=body, headers=headers, timeout=60)
                outcomes.append(str(response.status_code))
            except requests.ConnectionError:
                outcomes.append("refused")
        return outcomes

    with ThreadPoolExecutor(CLIENTS) as pool:
        return [outcome for outcomes in pool.map(client, range(CLIENTS)) for outcome in outcomes]


def stored(database, sql: str) -> list:
    with sqlite3.connect(database) as conn:
        return [row[0] if len(row) == 1 else row for row in conn.execute(sql)]


@pytest.mark.celery_worker
def test_eight_clients_writing_at_once_get_no_5xx_and_lose_no_write(var_dir):
    token = staff_token(var_dir)
    headers = {"Authorization": f"Token {token}"}
    slack_server = FakeSlackServer()
    slack_env = {"SLACK_BOT_TOKEN": "xoxb-fake", "SLACK_API_URL": slack_server.url}
    with slack_server as slack, embedded_stack(var_dir, **slack_env) as base:
        for path, body in [
            ("/api/v1/teams/", {"name": "Load", "oncall_engineer": "U_ONCALL"}),
            ("/api/v1/services/", {"name": "anchor", "team": "load"}),
        ]:
            response = requests.post(base + path, json=body, headers=headers, timeout=60)
            assert response.status_code == 201, response.text
        outcomes = send_all(base, token)
        expected = [body for c in range(CLIENTS) for _, body in writes_of(c)]
        bugs = {b["bug_id"] for b in expected if "bug_id" in b}
        # Each escalation's message went from a web thread through the broker to the worker.
        wait_for(lambda: len(slack.posts()) >= len(bugs), timeout=45)

    assert len(outcomes) >= 48
    assert Counter(outcomes) == {"201": len(outcomes)}, (Counter(outcomes), log_tail(var_dir))
    database = var_dir / "oncall.sqlite3"
    assert set(stored(database, "SELECT name FROM services_service")) == {
        "anchor",
        *(b["name"] for b in expected if "name" in b),
    }
    assert set(stored(database, "SELECT slack_user_id FROM teams_teammembership")) == {
        b["slack_user_id"] for b in expected if "slack_user_id" in b
    }
    assert set(stored(database, "SELECT bug_id FROM escalation_escalation")) == bugs
    assert {re.search(r"for (BUG-\S+)", call.body["text"])[1] for call in slack.posts()} == bugs
    assert stored(database, "SELECT status, count(*) FROM escalation_notification GROUP BY 1") == [
        ("sent", len(bugs))
    ]


def test_a_burst_of_connections_while_the_web_server_is_busy_waits_its_turn(var_dir):
    """The web server `make run` starts queues connections it has not accepted yet, instead of
    letting the kernel drop all but ten of them (Django's default)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=settings.BASE_DIR,
        env=embedded_env(var_dir, DEBUG="true"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server)
        os.kill(server.pid, signal.SIGSTOP)  # busy: it accepts nothing until SIGCONT
        try:
            burst = [socket.create_connection(("127.0.0.1", port), timeout=3) for _ in range(BURST)]
        finally:
            os.kill(server.pid, signal.SIGCONT)
        for connection in burst:
            connection.sendall(b"GET /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        answers = [connection.makefile("rb").readline() for connection in burst]
        assert Counter(answers) == {b"HTTP/1.1 200 OK\r\n": BURST}
    finally:
        server.terminate()
        server.wait(timeout=30)
