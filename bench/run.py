"""Database benchmarks of the on-call engine and the pages, on a throw-away database.

Run: make bench   (or .venv/bin/python bench/run.py; set DATABASE_URL for PostgreSQL)
Prints query counts and median timings beside the targets issue 17 pins, each met or MISSED,
and ends with `bench-run: all targets met` / `bench-run: N short`. Pages: server time through
Django's test client (in the process: middleware, view, queries, template; no socket), median
of 15 requests after one to warm up."""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")

import django

from tests.isolation import use_own_var_dir

use_own_var_dir()  # never `make run`'s broker folder: its worker would take ours
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per page request

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench import data  # noqa: E402
from bench.targets import Targets  # noqa: E402
from bench.throwaway import throwaway_database  # noqa: E402
from schedules import domain, selectors  # noqa: E402
from schedules.actions.handoff import BATCH_SIZE, due_team_ids, handoffs_process  # noqa: E402
from teams.models import Team  # noqa: E402

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def measure(fn, repeat: int = 15):
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return queries, statistics.median(times)


TARGETS = Targets("run")


def report(label: str, queries: int, ms: float, most_queries: int, most_ms: float | None = None):
    TARGETS.check(f"{label} (queries)", str(queries), f"<= {most_queries}", queries <= most_queries)
    if most_ms is None:
        print(f"{label + ' (time)':<58} {ms:>21.2f} ms")
    else:
        TARGETS.at_most(f"{label} (time)", ms, most_ms)


def main() -> None:
    setup_test_environment()
    with throwaway_database("run"):
        pages()
        run()
    TARGETS.done()


def pages() -> None:
    """Goal 5: the dashboard of 200 teams <= 150 ms, a team page <= 80 ms of server time."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    print(f"database: {connection.vendor}")
    teams = data.make_teams(200, prefix="page")
    data.add_dashboard_weeks(teams, timezone.localdate())
    (team,) = data.make_teams(1, prefix="paged", rotating=True)
    data.add_members([team], 12)
    data.add_schedules(team, weeks=60, overrides=40)
    staff = get_user_model().objects.create(username="bench-staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    for label, path, most_ms in (
        ("page: dashboard, 201 teams", "/", 150),
        ("page: a team's overview (12 members, 60 weeks)", f"/teams/{team.slug}/", 80),
    ):
        assert client.get(path).status_code == 200, path
        q, ms = measure(lambda p=path: client.get(p))
        print(f"{label:<58} {q:>3} queries")
        TARGETS.at_most(f"{label} (server time)", ms, most_ms)
    Team.objects.filter(pk__in=[t.pk for t in [*teams, team]]).update(is_active=False)


def run() -> None:
    (team,) = data.make_teams(1, prefix="solo", rotating=True)
    data.add_members([team], 12)
    data.add_schedules(team, weeks=60, overrides=40)
    team = Team.objects.get(pk=team.pk)
    q, ms = measure(lambda: selectors.who_is_on_call(team, NOW))
    report("who is on call for a team at an instant", q, ms, 3)

    def year():
        state = selectors.team_state(team, NOW.date(), NOW.date() + datetime.timedelta(days=364))
        return domain.periods(
            domain.resolve_range(state, NOW.date(), NOW.date() + datetime.timedelta(days=364))
        )

    q, ms = measure(year)
    report("a team's resolved schedule for 365 days", q, ms, 4, 20)

    data.make_teams(10_000, prefix="idle", due_at=NOW + datetime.timedelta(hours=1))
    q, ms = measure(lambda: due_team_ids(NOW))
    report("handoff tick, 10,000 active teams, none due", q, ms, 2, 50)

    due = data.make_teams(
        1_000, prefix="due", due_at=NOW - datetime.timedelta(minutes=1), rotating=True
    )
    data.add_members(due, 4)
    ids = due_team_ids(NOW)
    counts = []
    start = time.perf_counter()
    for first in range(0, len(ids), BATCH_SIZE):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            handoffs_process(team_ids=ids[first : first + BATCH_SIZE], now=NOW)
        counts.append(len(ctx.captured_queries))
    elapsed = time.perf_counter() - start
    handoff = f"handoff of {len(ids)} due teams, batches of {BATCH_SIZE}"
    per_team = max(counts) / BATCH_SIZE
    TARGETS.at_most(f"{handoff}: statements per team", per_team, 8, "queries")
    TARGETS.at_most(f"{handoff}: in all", elapsed, 10, "s")
    q, ms = measure(lambda: due_team_ids(NOW))
    report("handoff tick after they were processed (none due)", q, ms, 2)
    through_a_worker()


def through_a_worker() -> None:
    """The same through Celery: the beat tick's task, a real worker process, the broker."""
    from schedules.models import OnCallRecord
    from schedules.tasks import handoff_tick
    from tests.celery_worker import celery_worker, wait_for

    now = datetime.datetime.now(UTC)
    due = data.make_teams(
        1_000, prefix="live", due_at=now - datetime.timedelta(minutes=1), rotating=True
    )
    data.add_members(due, 4)
    ids = [t.pk for t in due]
    with celery_worker(queue="celery"):
        time.sleep(3)  # let the worker connect before the clock starts
        start = time.perf_counter()
        handoff_tick.delay()
        wait_for(
            lambda: OnCallRecord.objects.filter(team_id__in=ids).count() == len(ids),
            timeout=120,
            interval=0.1,
        )
        elapsed = time.perf_counter() - start
    TARGETS.at_most("handoff of 1000 due teams: beat tick -> one real worker", elapsed, 10, "s")


if __name__ == "__main__":
    main()
