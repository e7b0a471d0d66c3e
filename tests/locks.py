"""Race tests on PostgreSQL: hold a row lock, start the racing writer, and go on only once it
waits on that lock (a fixed sleep would pass unseen on a slow machine without testing it)."""

import threading
import time
from collections.abc import Callable

from django.db import connection, transaction

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


def _racing(second: Callable[[], object], outcome: list[object]) -> threading.Thread:
    """A thread (with its own connection) that runs `second` and puts what it returned or
    raised in `outcome`."""

    def run() -> None:
        try:
            outcome.append(second())
        except Exception as exc:  # the test says which outcome it expects
            outcome.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def second_write_while_first_holds(
    first: Callable[[], object], second: Callable[[], object]
) -> tuple[bool, list[object]]:
    """Run `first` in a transaction here; while it holds its locks, run `second` in a thread
    of its own (its own connection) and commit once `second` waits on a lock. Whether it
    waited, and what `second` returned or raised (one item; none if it never ended)."""
    outcome: list[object] = []
    racing = _racing(second, outcome)
    with transaction.atomic():
        first()
        racing.start()
        waited = someone_waits_on_a_lock()
    racing.join(timeout=30)
    return waited, outcome


def second_write_beside_first(
    first: Callable[[], object], second: Callable[[], object]
) -> tuple[bool, list[object]]:
    """Run `first` in a transaction here; while it is still open, run `second` in a thread of
    its own (its own connection). Whether `second` finished before `first` committed (it took
    no lock `first` holds), and what it returned or raised (one item; none if it never
    ended)."""
    outcome: list[object] = []
    racing = _racing(second, outcome)
    with transaction.atomic():
        first()
        racing.start()
        racing.join(timeout=WAIT_SECONDS)
        finished_while_the_first_was_open = not racing.is_alive()
    racing.join(timeout=30)
    return finished_while_the_first_was_open, outcome
