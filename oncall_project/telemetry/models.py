"""Bookkeeping tables of the running system: every process reads and writes them, so the
database, which all nodes share, is where one node learns what another did. Not domain data:
no history, no audit."""

from django.db import models


class Heartbeat(models.Model):
    """The last run of a periodic job (the handoff tick): whichever process ran it wrote it."""

    name = models.CharField(max_length=64, primary_key=True)
    at = models.DateTimeField()
    duration_seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class Lease(models.Model):
    """A named lock with an expiry (one beat dispatches at a time): the holder renews it; when
    it dies, the lease runs out and another takes it. A row, not an advisory lock, so the same
    code runs on SQLite and PostgreSQL."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class Alert(models.Model):
    """One watchdog alert's state, shared by every node so that an alert and its recovery are
    each said once, whichever node notices first."""

    name = models.CharField(max_length=64, primary_key=True)
    firing = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True)
    # when this state (firing or recovered) was told; null while nobody has told it yet
    notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {'firing' if self.firing else 'ok'}"
