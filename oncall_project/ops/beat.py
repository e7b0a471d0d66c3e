"""Several beats, one dispatching: the beat scheduler (CELERY_BEAT_SCHEDULER) holds a lease in
the database while it sends periodic tasks. The others stand by and poll; when the holder
dies its lease runs out (BEAT_LEASE_SECONDS) and the next poll takes it, so a standby takes over
within BEAT_LEASE_SECONDS plus a third of it. The jobs are idempotent besides (a paused holder
that wakes after losing the lease sends at most one tick more, and that does no harm)."""

import logging
import os
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
                lease_release(name=LEASE, holder=self.holder)
            except DatabaseError:
                logger.exception("Beat %s could not release its lease.", self.holder)
        super().close()
