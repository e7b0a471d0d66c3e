"""Race tests on PostgreSQL: hold a row lock, start the racing writer, and go on only once it
waits on that lock (a fixed sleep would pass unseen on a slow machine without testing it)."""

import time

from django.db import connection

WAIT_SECONDS = 10


def someone_waits_on_a_lock() -> bool:
    """Whether another connection to this database comes to wait on a lock within
    WAIT_SECONDS; asked over the caller's connection."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the statistics views keep their first snapshot: drop it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False
