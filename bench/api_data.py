"""The API load benchmark's data set: 1,000 teams, 10,000 services, 20,000 members,
50,000 schedules and 5,000 overrides around today, in the database `env` names; `scale` times
as many of each for `--scale`.

As a script (the load benchmark builds each data set in a process of its own, as Django is set
up once per process): python bench/api_data.py SCALE, DATABASE_URL naming the database; prints
{"token": …, "names": […]} as JSON. `python bench/api_data.py SCALE --reuse` builds nothing
if the database holds that data already (a new token, the names read back), else builds it."""

import datetime
import json
import os
import random
import sys

TEAMS, SERVICES_PER_TEAM, MEMBERS_PER_TEAM = 1_000, 10, 20
SCHEDULES_PER_TEAM, OVERRIDES_PER_TEAM = 50, 5
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]


def build(env: dict, scale: int = 1) -> tuple[str, list[str]]:
    """Migrate, fill with `scale` × TEAMS teams, and return an API token and every service
    name."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    monday = _this_monday()
    teams = _teams(rng, monday, TEAMS * scale)
    _members(teams)
    names = _services(rng, teams)
    _schedules(teams, monday)
    _overrides(teams, monday)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from oncall_project.tokens import api_token_create

    _user, token = api_token_create(name="load-bench", staff=False)
    return token, names


def reuse(env: dict, scale: int) -> tuple[str, list[str]] | None:
    """A new API token and every service name, if the database holds `scale`'s data set."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncall_project.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return None  # a database kept from older code: built afresh
    from services.models import Service

    names = sorted(Service.objects.values_list("name", flat=True))
    if len(names) != TEAMS * SERVICES_PER_TEAM * scale:
        return None
    from oncall_project.tokens import api_token_create

    _user, token = api_token_create(name="load-bench", staff=False)
    return token, names


def _this_monday() -> datetime.date:
    today = datetime.date.today()
    return today - datetime.timedelta(days=today.weekday())


def _teams(rng: random.Random, monday: datetime.date, count: int) -> list:
    from teams.models import Team

    teams = [
        Team(
            name=f"Team {n}",
            slug=f"team-{n}",
            timezone=rng.choice(ZONES),
            oncall_engineer=f"U{n:04d}M00",
            slack_group_id=f"S{n:04d}",
            rotation_enabled=n % 2 == 0,
            rotation_type="weighted" if n % 4 == 0 else "round_robin",
            rotation_start_date=monday - datetime.timedelta(weeks=26),
            handoff_day=0,
        )
        for n in range(count)
    ]
    return Team.objects.bulk_create(teams, batch_size=1000)


def _members(teams: list) -> None:
    from teams.models import TeamMembership

    TeamMembership.objects.bulk_create(
        (
            TeamMembership(
                team=team,
                slack_user_id=f"U{n:04d}M{i:02d}",
                display_name=f"Engineer {n}-{i}",
                team_role="lead" if i == 0 else "member",
                weight=1.0 + (i % 3),
                joined_at=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
            )
            for n, team in enumerate(teams)
            for i in range(MEMBERS_PER_TEAM)
        ),
        batch_size=5000,
    )


def _services(rng: random.Random, teams: list) -> list[str]:
    from services.models import Service

    services = [
        Service(
            name=f"svc-{n}-{k}",
            team=team,
            service_owner=f"U{n:04d}M{k:02d}",
            primary_oncall=f"U{n:04d}M01" if k % 3 == 0 else "",
            tier=rng.choice(["critical", "standard", "low"]),
        )
        for n, team in enumerate(teams)
        for k in range(SERVICES_PER_TEAM)
    ]
    Service.objects.bulk_create(services, batch_size=5000)
    return sorted(s.name for s in services)


def _schedules(teams: list, monday: datetime.date) -> None:
    """A year of weekly schedules per team, half behind today and half ahead; the rotating
    teams' are auto (the rotation's memory), the others' manual."""
    from schedules.models import Schedule

    first = monday - datetime.timedelta(weeks=SCHEDULES_PER_TEAM // 2)
    Schedule.objects.bulk_create(
        (
            Schedule(
                team=team,
                engineer_slack_id=f"U{n:04d}M{w % MEMBERS_PER_TEAM:02d}",
                start_date=first + datetime.timedelta(weeks=w),
                end_date=first + datetime.timedelta(weeks=w, days=6),
                origin="auto" if team.rotation_enabled else "manual",
            )
            for n, team in enumerate(teams)
            for w in range(SCHEDULES_PER_TEAM)
        ),
        batch_size=5000,
    )


def _overrides(teams: list, monday: datetime.date) -> None:
    """Five overrides per team, today's among them; one in five still pending."""
    from schedules.models import Override

    Override.objects.bulk_create(
        (
            Override(
                team=team,
                engineer_slack_id=f"U{n:04d}M{k + 1:02d}",
                start_date=monday + datetime.timedelta(days=10 * k - 20 + n % 7),
                end_date=monday + datetime.timedelta(days=10 * k - 18 + n % 7),
                status="pending" if k == 4 else "approved",
                reason="bench",
            )
            for n, team in enumerate(teams)
            for k in range(OVERRIDES_PER_TEAM)
        ),
        batch_size=5000,
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    found = reuse({}, scale) if "--reuse" in sys.argv else None
    bench_token, service_names = found or build({}, scale)
    json.dump({"token": bench_token, "names": service_names}, sys.stdout)
