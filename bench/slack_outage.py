"""Fault run: escalations raised while Slack is down are all delivered after it recovers, once.

Run: .venv/bin/python bench/slack_outage.py [--escalations 50] [--outage 20] [--workers 2]
A throw-away test database (PostgreSQL when DATABASE_URL says so), the fake Slack server in
outage mode (500 to everything), real Celery worker processes on a queue of their own
(CELERY_BROKER_URL: the filesystem broker by default, or Redis). The retry cap is kept small
(NOTIFICATION_RETRY_CAP_SECONDS, default 2 here) and the attempt limit large enough to outlast
the outage (NOTIFICATION_MAX_ATTEMPTS, default 100 here); both can be set in the environment."""

import argparse
import os
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
os.environ.setdefault("NOTIFICATION_RETRY_CAP_SECONDS", "2")
os.environ.setdefault("NOTIFICATION_MAX_ATTEMPTS", "100")

from tests.fake_slack import FakeSlackServer  # stdlib only: imported before Django is set up
from tests.isolation import use_own_var_dir


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=50)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds Slack answers 500")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait afterwards")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    use_own_var_dir()  # never `make run`'s broker folder: its worker would take ours
    server = FakeSlackServer()
    with server as fake:
        fake.begin_outage()
        os.environ["SLACK_API_URL"] = server.url
        os.environ["SLACK_BOT_TOKEN"] = "xoxb-fault-run"
        import django

        django.setup()
        from django.test.utils import setup_test_environment

        from bench.throwaway import throwaway_database

        setup_test_environment()
        with throwaway_database("outage"):
            return run(args, fake)


def seed_services() -> list[str]:
    from services.models import Service
    from teams.models import Team

    names = []
    for n in range(5):
        team = Team.objects.create(
            name=f"Team {n}", slug=f"team-{n}", oncall_engineer=f"U_ONCALL{n}"
        )
        for k in range(2):
            names.append(Service.objects.create(name=f"service-{n}-{k}", team=team).name)
    return names


def raise_escalations(count: int, services: list[str]) -> None:
    from escalation.actions import EscalationRequest, escalation_create

    for n in range(count):
        escalation_create(
            actor=None,
            request=EscalationRequest(
                bug_id=f"BUG-{n}",
                severity="high",
                services=[services[n % len(services)]],
                channel_id="C_BUGS",
                thread_ts=f"1700000000.{n:06d}",
            ),
        )


def status_counts() -> Counter:
    from oncall_project.base.outbox.models import Notification

    return Counter(Notification.objects.values_list("status", flat=True))


def progress(started: float, fake, label: str) -> None:
    counts = status_counts()
    refused = sum(c.status == 500 for c in fake.calls)
    print(
        f"  t={time.monotonic() - started:5.1f}s {label:<9} sent {counts['sent']:>4}  "
        f"pending {counts['pending']:>4}  failed {counts['failed']:>4}  "
        f"refused by Slack {refused:>5}",
        flush=True,
    )


def run(args: argparse.Namespace, fake) -> int:
    from django.conf import settings
    from django.db import connection

    from oncall_project.celery import app
    from tests.celery_worker import celery_worker

    queue = f"fault-run-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue  # deliveries go to our workers only; retries follow
    print(f"database: {connection.vendor}   broker: {settings.CELERY_BROKER_URL.split(':')[0]}")
    print(
        f"retry cap {settings.NOTIFICATION_RETRY_CAP_SECONDS} s, at most "
        f"{settings.NOTIFICATION_MAX_ATTEMPTS} attempts; {args.workers} worker(s); "
        f"outage {args.outage:.0f} s"
    )
    services = seed_services()
    with ExitStack() as workers:
        for _ in range(args.workers):
            workers.enter_context(celery_worker(queue=queue))
        started = time.monotonic()
        raise_escalations(args.escalations, services)
        while time.monotonic() - started < args.outage:
            time.sleep(min(5.0, args.outage - (time.monotonic() - started)))
            progress(started, fake, "outage")
        fake.end_outage()
        recovered = time.monotonic()
        while status_counts()["pending"] and time.monotonic() - recovered < args.drain:
            time.sleep(1.0)
            progress(started, fake, "recovered")
        drained = time.monotonic() - recovered
        time.sleep(2.0)  # retries or duplicates still queued get their chance to post twice
    return report(args.escalations, fake, drained)


def report(escalations: int, fake, drained: float) -> int:
    counts = status_counts()
    posts = fake.posts()
    per_thread = Counter((p.body.get("thread_ts"), p.body.get("text")) for p in posts)
    duplicates = sum(n - 1 for n in per_thread.values() if n > 1)
    refused = sum(c.status == 500 for c in fake.calls)
    print()
    print(f"escalations                     {escalations}")
    print(f"notifications sent              {counts['sent']}")
    print(f"notifications failed            {counts['failed']}")
    print(f"notifications pending           {counts['pending']}")
    print(f"Slack calls refused (500)       {refused}")
    print(f"posts recorded by the fake      {len(posts)}")
    print(f"escalations posted              {len(per_thread)}")
    print(f"duplicates                      {duplicates}")
    print(f"drained after recovery in       {drained:.1f} s")
    ok = counts["sent"] == escalations == len(per_thread) and duplicates == 0
    print("result                          " + ("all delivered, no duplicate" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
