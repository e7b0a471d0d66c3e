"""Test data. Factories write rows directly: they set the stage, actions are what tests test."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, Team, TeamMembership


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    timezone = "UTC"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    slack_user_id = factory.Sequence(lambda n: f"U{n:06d}")
    display_name = factory.Sequence(lambda n: f"Engineer {n}")
    joined_at = datetime.date(2026, 1, 1)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"service-{n}")
    team = factory.SubFactory(TeamFactory)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    team = factory.SubFactory(TeamFactory)
    engineer_slack_id = "U_ALICE"
    start_date = datetime.date(2026, 12, 7)
    end_date = datetime.date(2026, 12, 13)


class OverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Override

    team = factory.SubFactory(TeamFactory)
    engineer_slack_id = "U_BOB"
    start_date = datetime.date(2026, 12, 8)
    end_date = datetime.date(2026, 12, 9)
    requested_by = "U_BOB"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password("pw-for-tests-1"))


def person(slack_user_id: str | None = None, **user_fields) -> Person:
    user = UserFactory(**user_fields)
    return Person.objects.create(user=user, slack_user_id=slack_user_id)


class StaffUserFactory(UserFactory):
    """An operator for admin tests; no password hashing, log in with client.force_login."""

    username = factory.Sequence(lambda n: f"operator{n}")
    is_staff = True
    is_superuser = True
    password = factory.LazyFunction(lambda: make_password(None))


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "teams.Unavailability"

    slack_user_id = "U_ALICE"
    team = factory.SubFactory(TeamFactory)
    start_date = datetime.date(2026, 12, 14)
    end_date = datetime.date(2026, 12, 18)


class BackupLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "teams.BackupLine"

    team = factory.SubFactory(TeamFactory)


class OnCallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schedules.OnCallRecord"

    team = factory.SubFactory(TeamFactory)
    on_call_date = datetime.date(2026, 12, 1)
    engineer_slack_id = "U_ALICE"
    source = "schedule"


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "escalation.Escalation"

    bug_id = factory.Sequence(lambda n: f"BUG-{n}")
    severity = "high"
    services = ["Payment"]


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "outbox.Notification"

    kind = "handoff"
    channel = "C_PAYMENTS"
    text = "U_ALICE is on call"
    idempotency_key = factory.Sequence(lambda n: f"test-{n}")


class AuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "audit.AuditLog"

    entity_type = "team"
    entity_id = factory.Sequence(lambda n: f"entity-{n}")
    action = "updated"
    actor_type = "system"
    actor_id = "system"
    changes = {"name": {"old": "Pay", "new": "Payments"}}
