"""History that keeps growing (issue 17, goal 6): every audit and history list, API, page and
admin, on 10 M audit entries and 10 M versions of teams, beside its target.

Run: make bench (or .venv/bin/python bench/history.py), DATABASE_URL naming a PostgreSQL
server: the data set is built once into the database `oncall_bench_history` on that server
(BENCH_HISTORY_DB to name another) and used as it is the next time. Server time through
Django's test client (in the process: middleware, view, queries, template; no socket),
median of 9 requests after one to warm up; each request also counted in queries."""

import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")

from tests.isolation import use_own_var_dir

use_own_var_dir()
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per request

DATABASE = os.environ.get("BENCH_HISTORY_DB", "oncall_bench_history")
PAGE_MS, ADMIN_MS = 100.0, 300.0
SECOND = datetime.timedelta(seconds=1)


def _bench_database_url() -> str | None:
    """DATABASE_URL with the bench database's name, after making that database if it is
    missing; None when DATABASE_URL names no PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return None
    import psycopg

    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def _drop_database() -> None:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def main() -> None:
    from bench.targets import Targets

    targets = Targets("history")
    url = _bench_database_url()
    if url is None:
        # Not measured is not met: the figures are about PostgreSQL's plans at 10 M rows.
        targets.check("history lists (need PostgreSQL: set DATABASE_URL)", "skipped", "run", False)
        targets.done()
        return
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    from bench import history_data

    call_command("migrate", verbosity=0)
    if not history_data.built():
        from django.db import connections

        connections.close_all()
        _drop_database()
        _bench_database_url()
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        history_data.build(lambda line: print(f"  {line}", flush=True))
        print(f"  built in {time.perf_counter() - start:.0f} s")
    measure(targets)
    targets.done()


def measure(targets) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import history_data
    from bench.targets import median_ms
    from teams.models import Team

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'audit_auditlog'")
        print(
            f"database {connection.settings_dict['NAME']}: ~{cursor.fetchone()[0]:,} audit entries"
        )
    operator, _ = get_user_model().objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(operator)
    team = Team.objects.filter(slug__startswith="hist-").order_by("slug")[500]
    api = "/api/v1/audit-logs/"
    first = client.get(api).json()
    deep = _follow(client, first["next"], 20)  # 20 pages on: the cost of a cursor
    mid_day = (history_data.START + (history_data.SPAN_SECONDS // 2) * SECOND).date()
    admin = "/admin/audit/auditlog/"
    lists = [
        ("GET /api/v1/audit-logs/", api, PAGE_MS),
        ("GET /api/v1/audit-logs/ 21st page (cursor)", deep, PAGE_MS),
        (f"GET /api/v1/audit-logs/?team={team.slug}", f"{api}?team={team.slug}", PAGE_MS),
        ("GET /api/v1/audit-logs/?actor_id=UHIST00042", f"{api}?actor_id=UHIST00042", PAGE_MS),
        ("GET /api/v1/audit-logs/?action=deleted (rare)", f"{api}?action=deleted", PAGE_MS),
        ("GET /api/v1/audit-logs/?entity_type=service", f"{api}?entity_type=service", PAGE_MS),
        ("GET /api/v1/audit-logs/?entity_id=<team>", f"{api}?entity_id={team.pk}", PAGE_MS),
        (
            "GET /api/v1/audit-logs/?from=&to= (one day)",
            f"{api}?from={mid_day}&to={mid_day}",
            PAGE_MS,
        ),
        ("audit viewer /audit/", "/audit/", PAGE_MS),
        (f"audit viewer ?team={team.slug}", f"/audit/?team={team.slug}", PAGE_MS),
        ("audit viewer ?actor=Engineer 42", "/audit/?actor=Engineer+42", PAGE_MS),
        ("audit viewer ?action=override_approved", "/audit/?action=override_approved", PAGE_MS),
        ("audit viewer ?entity_type=service", "/audit/?entity_type=service", PAGE_MS),
        (
            "audit viewer, one day",
            f"/audit/?date_from={mid_day}&date_to={mid_day}",
            PAGE_MS,
        ),
        (f"team History tab /teams/{team.slug}/history/", f"/teams/{team.slug}/history/", PAGE_MS),
        ("admin audit change list", admin, ADMIN_MS),
        ("admin audit change list, page 50", f"{admin}?p=50", ADMIN_MS),
        ("admin audit ?action=override_approved", f"{admin}?action=override_approved", ADMIN_MS),
        (
            "admin audit ?entity_type=override&actor_type=user",
            f"{admin}?entity_type=override&actor_type=user",
            ADMIN_MS,
        ),
        ("admin audit search UHIST00042", f"{admin}?q=UHIST00042", ADMIN_MS),
        ("admin team history (10,000 versions)", f"/admin/teams/team/{team.pk}/history/", ADMIN_MS),
        (
            "admin team history, page 50",
            f"/admin/teams/team/{team.pk}/history/?p=50",
            ADMIN_MS,
        ),
    ]
    for label, path, limit in lists:
        connection.queries_log.clear()  # each request starts by emptying it
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        count = len(queries.captured_queries)  # read now: the next request empties the log
        if status != 200:
            targets.check(label, f"status {status}", "200", False)
            continue
        ms = median_ms(lambda p=path: client.get(p))
        targets.at_most(f"{label} ({count} q)", ms, limit)


def _follow(client, url: str, pages: int) -> str:
    for _ in range(pages - 1):
        url = client.get(url).json()["next"]
    return url


if __name__ == "__main__":
    main()
