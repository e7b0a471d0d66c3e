"""Data generator for the database benchmarks: many teams, members, schedules, overrides."""

import datetime
import random

from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership

START = datetime.date(2026, 11, 30)  # a Monday


def make_teams(count: int, *, prefix: str, due_at=None, rotating: bool = False) -> list[Team]:
    teams = [
        Team(
            name=f"{prefix} {n}",
            slug=f"{prefix}-{n}",
            timezone=random.choice(
                ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
            ),
            oncall_engineer=f"U{prefix.upper()}{n}",
            next_handoff_at=due_at,
            rotation_enabled=rotating,
            rotation_type="round_robin",
            rotation_interval="weekly",
            rotation_start_date=START if rotating else None,
            handoff_day=0 if rotating else None,
        )
        for n in range(count)
    ]
    Team.objects.bulk_create(teams, batch_size=1000)
    return teams


def add_members(teams: list[Team], per_team: int) -> None:
    rows = [
        TeamMembership(
            team=t,
            slack_user_id=f"U{i:03d}X{n}",
            display_name=f"Engineer {i}",
            joined_at=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
        )
        for n, t in enumerate(teams)
        for i in range(per_team)
    ]
    TeamMembership.objects.bulk_create(rows, batch_size=2000)


def add_schedules(team: Team, weeks: int, overrides: int) -> None:
    Schedule.objects.bulk_create(
        Schedule(
            team=team,
            engineer_slack_id=f"U{w % 7:03d}X0",
            origin="auto",
            start_date=START + datetime.timedelta(weeks=w),
            end_date=START + datetime.timedelta(weeks=w, days=6),
        )
        for w in range(weeks)
    )
    Override.objects.bulk_create(
        Override(
            team=team,
            engineer_slack_id="U_COVER",
            status="approved",
            start_date=START + datetime.timedelta(days=3 + 9 * k),
            end_date=START + datetime.timedelta(days=4 + 9 * k),
        )
        for k in range(overrides)
    )


def add_dashboard_weeks(teams: list[Team], today: datetime.date) -> None:
    """What a dashboard shows for each team: a lead (in the directory), a schedule running
    now, an approved override tomorrow, a pending one next week, two services."""
    day = datetime.timedelta(days=1)
    Person.objects.bulk_create(
        Person(slack_user_id=f"ULEAD{n}", display_name=f"Lead {n}") for n in range(len(teams))
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(
            team=t,
            slack_user_id=f"ULEAD{n}",
            display_name=f"Lead {n}",
            team_role="lead",
            joined_at=datetime.date(2026, 1, 1),
        )
        for n, t in enumerate(teams)
    )
    Schedule.objects.bulk_create(
        Schedule(
            team=t,
            engineer_slack_id=f"ULEAD{n}",
            start_date=today - 2 * day,
            end_date=today + 4 * day,
        )
        for n, t in enumerate(teams)
    )
    Override.objects.bulk_create(
        Override(
            team=t,
            engineer_slack_id=f"ULEAD{(n + 1) % len(teams)}",
            requested_by=f"ULEAD{n}",
            status=status,
            start_date=today + offset * day,
            end_date=today + (offset + 1) * day,
        )
        for n, t in enumerate(teams)
        for status, offset in (("approved", 1), ("pending", 8))
    )
    Service.objects.bulk_create(
        Service(name=f"{t.slug}-{k}", team=t) for t in teams for k in range(2)
    )
