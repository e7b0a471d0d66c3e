"""Readiness: can this node do its job? Each check answers on its own, so the body says what
failed. Nothing secret goes out: an exception is named by its type; its message (which may
name hosts or users) goes to the log."""

import datetime
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min
from django.utils import timezone

from oncall_project.base.outbox.models import Notification, NotificationStatus
from oncall_project.celery import app as celery_app
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_at

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


class _Migrations:
    """Once every migration is applied it stays so for the life of the process: the plan (a
    read of the migration files and table) is computed until it first comes out empty."""

    applied = False

    @classmethod
    def check(cls) -> Check:
        if not cls.applied:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return Check(False, f"{len(plan)} migrations not applied")
            cls.applied = True
        return Check(True, "all applied")


def database() -> Check:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(True, "answers")


def broker() -> Check:
    """Redis answers a PING; the embedded filesystem broker's folder is writable."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if "data_folder_in" in options:
        folder = options["data_folder_in"]
        if not os.access(folder, os.W_OK):
            return Check(False, "broker folder not writable")
        return Check(True, "folder writable")
    with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        client = getattr(conn.default_channel, "client", None)
        if client is not None:
            client.ping()
    return Check(True, "answers")


def handoff_tick(now: datetime.datetime) -> Check:
    at = heartbeat_at(HANDOFF_TICK)
    limit = settings.READY_TICK_MAX_AGE_SECONDS
    if at is None:
        return Check(False, "has never run (is celery beat running?)")
    age = (now - at).total_seconds()
    return Check(age <= limit, f"last ran {age:.0f} s ago (limit {limit} s)")


def outbox(now: datetime.datetime) -> Check:
    oldest = Notification.objects.filter(status=NotificationStatus.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    limit = settings.READY_PENDING_MAX_AGE_SECONDS
    if oldest is None:
        return Check(True, "nothing pending")
    age = (now - oldest).total_seconds()
    return Check(age <= limit, f"oldest pending notification {age:.0f} s old (limit {limit} s)")


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except Exception as exc:  # a dependency's failure is this check's answer, never a 500
        logger.warning("Readiness check %s failed: %s", name, exc)
        return Check(False, f"error: {type(exc).__name__}")


def readiness(now: datetime.datetime | None = None) -> dict[str, Check]:
    """Every check, each guarded on its own."""
    now = now or timezone.now()
    checks: dict[str, Callable[[], Check]] = {
        "database": database,
        "migrations": _Migrations.check,
        "broker": broker,
        "handoff_tick": lambda: handoff_tick(now),
        "outbox": lambda: outbox(now),
    }
    return {name: _guarded(name, check) for name, check in checks.items()}
