"""Named leases: one holder at a time, taken over when the holder stops renewing.

A holder renews well within `seconds`; a holder that died lets the lease run out, and the next
`lease_acquire` by anyone else takes it. Each call is one conditional UPDATE (plus an INSERT the
first time), atomic on SQLite and PostgreSQL alike, so two contenders never both win."""

import datetime

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from oncall_project.telemetry.models import Lease


def lease_acquire(
    *, name: str, holder: str, seconds: float, now: datetime.datetime | None = None
) -> bool:
    """Take or renew the lease; True while `holder` holds it."""
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(seconds=seconds)
    taken = Lease.objects.filter(Q(holder=holder) | Q(expires_at__lt=now), name=name).update(
        holder=holder, expires_at=expires_at
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=expires_at)
    except IntegrityError:  # somebody holds it (or created it first)
        return False
    return True


def lease_release(*, name: str, holder: str, own_connection: bool = False) -> None:
    """Let the lease go at once (a clean shutdown), if `holder` has it.

    `own_connection` lets it go over a connection of its own, closed at once: a process stopping
    may have been interrupted in the middle of a query on the usual one, which then can't be used
    (psycopg's connection lock would wait for that query forever)."""
    if not own_connection:
        Lease.objects.filter(name=name, holder=holder).delete()
        return
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:  # autocommit: the delete is kept when it returns
            table = connection.ops.quote_name(Lease._meta.db_table)
            sql = f"DELETE FROM {table} WHERE name = %s AND holder = %s"  # noqa: S608 - our table
            cursor.execute(sql, [name, holder])
    finally:
        connection.close()


def lease_holder(name: str, now: datetime.datetime | None = None) -> str | None:
    now = now or timezone.now()
    return (
        Lease.objects.filter(name=name, expires_at__gte=now)
        .values_list("holder", flat=True)
        .first()
    )
