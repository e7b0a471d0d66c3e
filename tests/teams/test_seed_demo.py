"""`manage.py seed_demo` builds the demo organisation once, through the actions, with weeks of
on-call history written by the real handoff."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import OnCallRecord, Override, Schedule
from services.models import Service
from teams.models import Person, Team

PROJECT_APPS = ("audit", "teams", "services", "schedules", "escalation")
# Wednesday 11 March 2026, 15:00 UTC: the demo's first Monday is 9 March, its history starts
# on Monday 9 February, and every team's on-call day is the Wednesday (Sydney's ends at 23:00).
FIRST_RUN = datetime.datetime(2026, 3, 11, 15, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2026, 3, 9)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """The wall clock every layer reads (`timezone.now`), set by the test."""

    class Clock:
        at = FIRST_RUN

    monkeypatch.setattr(timezone, "now", lambda: Clock.at)
    return Clock


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_values() -> dict[str, dict]:
    """Every row of every project table (row versions and the outbox too) and of users, by pk."""
    models = [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()]
    return {
        m._meta.label: {row[m._meta.pk.attname]: row for row in m.objects.values()}
        for m in [*models, get_user_model()]
    }


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def ledger(slug: str) -> dict[datetime.date, tuple[str, str]]:
    records = OnCallRecord.objects.filter(team__slug=slug)
    return {r.on_call_date: (r.engineer_slack_id, r.source) for r in records}


def test_seed_demo_twice_yields_the_same_rows(db):
    first_output = seed()
    after_first = row_values()

    second_output = seed()

    assert row_values() == after_first
    passwords = dict(re.findall(r"'(\w+)'.* password: (\S+)", first_output))
    assert set(passwords) == {"admin", "alice", "bob", "dave"}
    for username, password in passwords.items():
        assert get_user_model().objects.get(username=username).check_password(password)
    assert "nothing to create" in second_output
    assert "exists" in second_output
    assert "password:" not in second_output


@pytest.mark.parametrize("days_later", [1, 7, 8, 35])
def test_seed_demo_in_a_later_week_adds_nothing(db, clock, days_later):
    seed()
    after_first = row_values()
    clock.at = FIRST_RUN + datetime.timedelta(days=days_later)

    output = seed()

    assert row_values() == after_first
    assert "nothing to create" in output


def test_seed_demo_builds_the_original_plan_through_the_actions(db):
    seed()

    payments = Team.objects.get(name="Payments")
    assert payments.oncall_engineer == "U_ALICE"
    assert payments.overrides_require_approval
    owners = dict(Service.objects.filter(team=payments).values_list("name", "service_owner"))
    assert (owners["Payment"], owners["Bill"]) == ("U_BOB", "U_CAROL")
    auth = Team.objects.get(name="Auth & Identity")
    owners = dict(Service.objects.filter(team=auth).values_list("name", "service_owner"))
    assert (auth.oncall_engineer, owners["Auth"], owners["Company"]) == (
        "U_DAVE",
        "U_EVE",
        "U_FRANK",
    )
    assert payments.memberships.get(slack_user_id="U_ALICE").team_role == "lead"
    assert Person.objects.get(slack_user_id="U_ALICE").user.username == "alice"
    assert Team.objects.count() >= 6
    assert Team.objects.filter(rotation_enabled=True).exists()
    assert set(Override.objects.values_list("status", flat=True)) == {"pending", "approved"}
    assert Schedule.objects.filter(origin="manual").exists()
    assert set(AuditLog.objects.values_list("actor_type", flat=True)) == {"system"}
    audited = set(AuditLog.objects.values_list("entity_type", flat=True))
    assert {"team", "team_membership", "service", "schedule", "override", "person"} <= audited
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_seed_demo_dates_its_rows_from_the_week_it_first_runs(db, clock):
    seed()

    payments = Schedule.objects.filter(team__slug="payments", origin="manual")
    assert set(payments.values_list("engineer_slack_id", "start_date", "end_date")) == {
        ("U_BOB", day(-28), day(-22)),
        ("U_CAROL", day(-21), day(-15)),
        ("U_ALICE", day(-14), day(-8)),
        ("U_GRACE", day(-7), day(-1)),
        ("U_ALICE", day(0), day(6)),
        ("U_BOB", day(7), day(13)),
        ("U_CAROL", day(14), day(20)),
        ("U_ALICE", day(21), day(27)),
    }
    overrides = Override.objects.filter(team__slug="payments")
    assert set(overrides.values_list("engineer_slack_id", "start_date", "status")) == {
        ("U_BOB", day(-19), "approved"),
        ("U_GRACE", day(2), "approved"),
        ("U_CAROL", day(9), "pending"),
    }
    rotating = Team.objects.filter(rotation_enabled=True)
    assert set(rotating.values_list("slug", "rotation_start_date")) == {
        ("platform", day(-28)),
        ("data", day(-28)),
        ("mobile", day(-28)),
    }


def test_seed_demo_writes_weeks_of_ledger_through_the_handoff(db, clock):
    seed()

    for team in Team.objects.all():
        # One row a day from the first day of the history to today, none missing.
        dates = set(ledger(team.slug))
        assert dates == {day(-28) + datetime.timedelta(days=n) for n in range(31)}, team.slug
        assert team.last_handoff_date == day(2)
        assert team.next_handoff_at > FIRST_RUN
    payments = ledger("payments")
    assert [payments[day(n)] for n in (-28, -20, -19, -18, -17, -1, 0, 2)] == [
        ("U_BOB", "schedule"),
        ("U_CAROL", "schedule"),
        ("U_BOB", "override"),
        ("U_BOB", "override"),
        ("U_CAROL", "schedule"),
        ("U_GRACE", "schedule"),
        ("U_ALICE", "schedule"),
        ("U_GRACE", "override"),
    ]
    # Round robin in membership order; Rahul, away in the third week, is owed and gets the next.
    data = ledger("data")
    assert [data[day(n)] for n in (-28, -21, -14, -7)] == [
        ("U_ARJUN", "rotation"),
        ("U_PRIYA", "rotation"),
        ("U_SANA", "rotation"),
        ("U_RAHUL", "rotation"),
    ]
    handoffs = AuditLog.objects.filter(team__slug="data", action="rotation_triggered")
    # Arjun is also the team's default, who held the day before: his first week is no handoff.
    assert list(handoffs.order_by("effective_date").values_list("effective_date", flat=True)) == [
        day(-21),
        day(-14),
        day(-7),
        day(0),
    ]


def test_seed_demo_fills_the_fairness_report_for_a_new_user(db, clock):
    seed()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bob"))

    response = client.get("/fairness/")

    assert response.status_code == 200
    rows = [row for row, _share in response.context["rows"]]
    people = {}
    for row in rows:
        people.setdefault(row.team.slug, set()).add(row.engineer)
    assert len(people) == 6
    assert all(len(engineers) >= 2 for engineers in people.values()), people
    bob = next(r for r in rows if (r.team.slug, r.engineer) == ("payments", "U_BOB"))
    assert (bob.name, bob.shifts, bob.days, bob.weekend_days) == ("Bob Martins", 2, 9, 2)


def test_seed_demo_resets_the_admin_password_only_when_asked(db):
    seed()
    old_hash = get_user_model().objects.get(username="admin").password

    output = seed("--reset-admin-password")

    assert "Superuser 'admin' password:" in output
    assert get_user_model().objects.get(username="admin").password != old_hash
