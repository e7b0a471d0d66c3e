"""`manage.py seed_demo` builds the demo organisation once, through the actions."""

import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditLog
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team

PROJECT_APPS = ("audit", "teams", "services", "schedules", "escalation")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()]
    return {m._meta.label: m.objects.count() for m in [*models, get_user_model()]}


def test_seed_demo_twice_yields_the_same_rows(db):
    first_output = seed()
    after_first = row_counts()
    audit_rows = AuditLog.objects.count()

    second_output = seed()

    assert row_counts() == after_first
    assert AuditLog.objects.count() == audit_rows
    passwords = dict(re.findall(r"'(\w+)'.* password: (\S+)", first_output))
    assert set(passwords) == {"admin", "alice", "bob", "dave"}
    for username, password in passwords.items():
        assert get_user_model().objects.get(username=username).check_password(password)
    assert "exists" in second_output
    assert "password:" not in second_output


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


def test_seed_demo_resets_the_admin_password_only_when_asked(db):
    seed()
    old_hash = get_user_model().objects.get(username="admin").password

    output = seed("--reset-admin-password")

    assert "Superuser 'admin' password:" in output
    assert get_user_model().objects.get(username="admin").password != old_hash
