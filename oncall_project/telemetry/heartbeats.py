"""When a periodic job last ran, readable by every process on every node (a database row).
Bookkeeping, not a change anyone made: no audit."""

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone
from prometheus_client import Histogram

from oncall_project.telemetry.models import Heartbeat

HANDOFF_TICK = "handoff_tick"


def heartbeat_record(*, name: str, duration_seconds: float, now: datetime.datetime | None = None):
    """One UPSERT; each run overwrites the last."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"at": now or timezone.now(), "duration_seconds": duration_seconds}
    )


def heartbeat_at(name: str) -> datetime.datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


@contextmanager
def heartbeat(name: str, duration: Histogram | None = None) -> Iterator[None]:
    """Record a run of the job in the block when it ends without an exception (a job that
    fails leaves its heartbeat to go stale), and observe its duration."""
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    if duration is not None:
        duration.observe(seconds)
    heartbeat_record(name=name, duration_seconds=seconds)
