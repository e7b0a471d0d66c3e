"""The system watching itself: the handoff tick gone quiet, or Slack deliveries failing for
too long, is told to the operators once, and so is the recovery.

It runs in a thread of every Celery worker and beat (not in beat alone: a dead beat could not
say it is dead). Several nodes share one state per alert in the database: the node that
changes a state, or first finds it untold, claims the telling with a conditional UPDATE, so one
node tells it. The telling bypasses the outbox and the worker (what may be broken): a direct
Slack post to OPS_SLACK_CHANNEL and an email to ADMINS; the log always has it."""

import datetime
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Min
from django.utils import timezone

from oncall_project.base.outbox.models import Notification, NotificationStatus
from oncall_project.ops import alerting
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_at
from oncall_project.telemetry.models import Alert

logger = logging.getLogger(__name__)

TICK_STALE = "handoff_tick_stale"
DELIVERY_FAILING = "slack_delivery_failing"


@dataclass(frozen=True)
class Finding:
    alert: str
    firing: bool
    detail: str


def tick_finding(now: datetime.datetime) -> Finding:
    """Firing when the tick last ran longer ago than the limit. A tick that never ran is not
    told (a fresh install looks the same); /readyz says it."""
    at = heartbeat_at(HANDOFF_TICK)
    limit = settings.WATCHDOG_TICK_STALE_SECONDS
    if at is None or (now - at).total_seconds() <= limit:
        return Finding(TICK_STALE, False, "The handoff tick runs again.")
    minutes = (now - at).total_seconds() / 60
    detail = (
        f"The handoff tick has not run for {minutes:.0f} minutes (last at {at:%Y-%m-%d %H:%M} "
        "UTC): handoffs are not happening. Check celery beat and the workers."
    )
    return Finding(TICK_STALE, True, detail)


def delivery_finding(now: datetime.datetime) -> Finding:
    """Firing while Slack messages have been failing for longer than the limit: still retried
    after failed attempts since before it, or given up within it."""
    since = now - datetime.timedelta(seconds=settings.WATCHDOG_DELIVERY_FAILING_SECONDS)
    retrying = Notification.objects.filter(
        status=NotificationStatus.PENDING, attempts__gt=0, created_at__lt=since
    ).aggregate(oldest=Min("created_at"))["oldest"]
    given_up = Notification.objects.filter(
        status=NotificationStatus.FAILED, updated_at__gte=since
    ).count()
    if retrying is None and not given_up:
        return Finding(DELIVERY_FAILING, False, "Slack messages are delivered again.")
    parts = []
    if retrying is not None:
        parts.append(f"messages have been failing since {retrying:%Y-%m-%d %H:%M} UTC")
    if given_up:
        parts.append(f"{given_up} were given up recently")
    detail = f"Slack deliveries are failing: {'; '.join(parts)}. See the Notification admin."
    return Finding(DELIVERY_FAILING, True, detail)


def record(finding: Finding, now: datetime.datetime) -> None:
    """Store a change of state, untold. A new alert row starts quiet and told."""
    Alert.objects.get_or_create(name=finding.alert, defaults={"notified_at": now})
    Alert.objects.filter(name=finding.alert).exclude(firing=finding.firing).update(
        firing=finding.firing, since=now, detail=finding.detail, notified_at=None
    )


def claim(alert: str, now: datetime.datetime) -> Alert | None:
    """The untold state of `alert`, for the one caller that claims it."""
    with transaction.atomic():
        claimed = Alert.objects.filter(name=alert, notified_at__isnull=True).update(notified_at=now)
        return Alert.objects.get(name=alert) if claimed else None


def check(now: datetime.datetime | None = None) -> list[Alert]:
    """One round: judge, store, tell what is untold. Returns the alerts this call told."""
    now = now or timezone.now()
    told = []
    for finding in (tick_finding(now), delivery_finding(now)):
        record(finding, now)
        alert = claim(finding.alert, now)
        if alert is None:
            continue
        if alerting.tell(alert):
            told.append(alert)
        else:  # no path worked: untold again, for the next round of any node
            Alert.objects.filter(name=alert.name, notified_at=now).update(notified_at=None)
    return told


def _loop(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            check()
        except Exception:  # the watchdog must outlive a database hiccup; it logs and retries
            logger.exception("Watchdog round failed.")
        finally:
            close_old_connections()


_started = threading.Lock()
_thread: threading.Thread | None = None


def start_thread() -> threading.Thread | None:
    """Start this process's watchdog (once); WATCHDOG_INTERVAL_SECONDS=0 turns it off."""
    global _thread
    interval = settings.WATCHDOG_INTERVAL_SECONDS
    with _started:
        if interval <= 0 or _thread is not None:
            return _thread
        _thread = threading.Thread(
            target=_loop, args=(threading.Event(), interval), name="watchdog", daemon=True
        )
        _thread.start()
    return _thread
