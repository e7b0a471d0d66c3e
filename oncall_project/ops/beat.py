"""Several beats, one dispatching: the beat scheduler (CELERY_BEAT_SCHEDULER) holds a lease in
the database while it sends periodic tasks. The others stand by and poll; when the holder
dies its lease runs out (BEAT_LEASE_SECONDS) and the next poll takes it, so a standby takes over
within BEAT_LEASE_SECONDS plus a third of it. The jobs are idempotent besides (a paused holder
that wakes after losing the lease sends at most one tick more, and that does no harm)."""

import logging
import os
import signal
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from oncall_project.telemetry.leases import lease_acquire, lease_release

logger = logging.getLogger(__name__)

LEASE = "celery-beat"


class LeaderScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.leading: bool | None = None  # unknown until the first try: then said either way
        super().__init__(*args, **kwargs)

    @property
    def renew_every(self) -> float:
        return settings.BEAT_LEASE_SECONDS / 3

    def tick(self, *args, **kwargs) -> float:
        if self.leading is None:
            _stop_without_work_in_the_signal_handler()
        if not self._hold_lease():
            return self.renew_every
        return min(super().tick(*args, **kwargs), self.renew_every)

    def _hold_lease(self) -> bool:
        close_old_connections()  # a connection the database dropped is replaced, not reused
        try:
            leading = lease_acquire(
                name=LEASE, holder=self.holder, seconds=settings.BEAT_LEASE_SECONDS
            )
        except DatabaseError:
            logger.exception("Beat %s cannot reach the database: not dispatching.", self.holder)
            leading = False
        if leading != self.leading:
            state = "dispatches periodic tasks" if leading else "stands by"
            logger.warning("Beat %s %s.", self.holder, state)
        self.leading = leading
        return leading

    def close(self) -> None:
        """A clean stop lets the lease go at once, so a standby need not wait for it."""
        if self.leading:
            try:
                lease_release(name=LEASE, holder=self.holder, own_connection=True)
            except DatabaseError:
                logger.exception("Beat %s could not release its lease.", self.holder)
        super().close()


def _stop(signum, frame) -> None:
    raise SystemExit()


def _stop_without_work_in_the_signal_handler() -> None:
    """Celery's beat saves the schedule and closes the scheduler inside its SIGTERM handler: a
    signal that lands while the beat is in a query, or publishing, then waits on a lock the
    interrupted code holds, and the beat never stops (seen in CI). Here the handler only stops
    the loop; Celery's `finally` closes the scheduler, once, outside the handler."""
    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), _stop)
