"""Start a real Celery worker process against the test database, on a queue of its own."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(queue: str | None = None, **extra_env: str):
    """Yield the queue name a started worker consumes; stop it afterwards. Tests of work that
    fans out (beat ticks, eta tasks) pass queue="celery", the default queue, after a purge."""
    assert dj_database_url  # the worker parses DATABASE_URL the same way settings do
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    if queue == "celery":
        from oncall_project.celery import app

        app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SLACK_BOT_TOKEN": settings.SLACK_BOT_TOKEN,
        "SLACK_API_URL": settings.SLACK_API_URL,
        **extra_env,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oncall_project",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def eager_tasks():
    """Run tasks sent with .delay()/.apply_async() inline, in this process and transaction: for
    tests of what a task fans out to, where a real worker is not the point."""
    from oncall_project.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def wait_for(predicate, timeout: float = 40.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout}s")
