"""The database refuses bad rows even when a write skips clean()."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditLog
from escalation.models import Escalation
from oncall_project.base.outbox.models import Notification
from schedules.models import OnCallRecord, Override, Schedule
from services.models import Service
from teams.models import Team, TeamMembership, Unavailability
from tests.factories import (
    AuditLogFactory,
    EscalationFactory,
    MembershipFactory,
    NotificationFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)

D = datetime.date


def refused(model, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


def refused_in_bulk(constraint: str, model, **fields):
    """As a bulk import writes: one INSERT, no save(), no clean()."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        model.objects.bulk_create([model(**fields)])


def refused_update(constraint: str, row, **fields):
    """As a QuerySet.update() writes: one UPDATE, no save(), no clean()."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**fields)
    row.refresh_from_db()
    assert all(getattr(row, name) != value for name, value in fields.items())


def test_team_constraints(db):
    TeamFactory(slug="payments")
    refused(Team, name="Other", slug="payments")
    refused(Team, name="X", slug="x1", rotation_type="random")
    refused(Team, name="X", slug="x2", rotation_interval="monthly")
    refused(Team, name="X", slug="x3", handoff_day=7)
    refused(Team, name="X", slug="x4", lookahead_periods=0)


def test_membership_constraints(db):
    membership = MembershipFactory(slack_user_id="U_ALICE")
    refused(TeamMembership, team=membership.team, slack_user_id="U_ALICE")
    refused(TeamMembership, team=membership.team, slack_user_id="U_BOB", weight=0)
    refused(TeamMembership, team=membership.team, slack_user_id="U_CAROL", team_role="boss")


def test_service_names_are_unique_ignoring_case(db):
    ServiceFactory(name="Payment")
    refused(Service, name="PAYMENT")
    refused(Service, name="Other", tier="gold")


def test_date_order_and_enumerations(db):
    team = TeamFactory()
    refused(
        Schedule,
        team=team,
        engineer_slack_id="U_A",
        start_date=D(2026, 1, 2),
        end_date=D(2026, 1, 1),
    )
    refused(
        Schedule,
        team=team,
        engineer_slack_id="U_A",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 1, 1),
        origin="magic",
    )
    refused(
        Override,
        team=team,
        engineer_slack_id="U_A",
        start_date=D(2026, 1, 2),
        end_date=D(2026, 1, 1),
    )
    refused(
        Override,
        team=team,
        engineer_slack_id="U_A",
        start_date=D(2026, 1, 1),
        end_date=D(2026, 1, 1),
        status="maybe",
    )
    refused(Unavailability, slack_user_id="U_A", start_date=D(2026, 1, 2), end_date=D(2026, 1, 1))


def test_auto_schedules_and_ledger_rows_are_unique(db):
    team = TeamFactory()
    Schedule.objects.create(
        team=team,
        engineer_slack_id="U_A",
        start_date=D(2026, 1, 5),
        end_date=D(2026, 1, 11),
        origin="auto",
    )
    refused(
        Schedule,
        team=team,
        engineer_slack_id="U_B",
        start_date=D(2026, 1, 5),
        end_date=D(2026, 1, 11),
        origin="auto",
    )
    OnCallRecord.objects.create(
        team=team, on_call_date=D(2026, 1, 5), source="rotation", engineer_slack_id="U_A"
    )
    refused(OnCallRecord, team=team, on_call_date=D(2026, 1, 5), source="rotation")


def test_schedule_type_is_checked_by_the_database(db):
    schedule = ScheduleFactory()
    fields = {
        "team": schedule.team,
        "engineer_slack_id": "U_A",
        "start_date": D(2027, 1, 1),
        "end_date": D(2027, 1, 1),
    }
    refused_in_bulk("schedule_type_valid", Schedule, **fields, schedule_type="monthly")
    refused_update("schedule_type_valid", schedule, schedule_type="monthly")


def test_escalation_status_and_level_are_checked_by_the_database(db):
    escalation = EscalationFactory()
    refused_in_bulk("escalation_status_valid", Escalation, bug_id="BUG-X", status="forgotten")
    refused_in_bulk("escalation_level_range", Escalation, bug_id="BUG-X", level=0)
    refused_in_bulk("escalation_level_range", Escalation, bug_id="BUG-X", level=4)
    refused_update("escalation_status_valid", escalation, status="forgotten")
    refused_update("escalation_level_range", escalation, level=0)
    refused_update("escalation_level_range", escalation, level=4)


def test_notification_status_is_checked_by_the_database(db):
    notification = NotificationFactory()
    fields = {"kind": "handoff", "channel": "C_X", "text": "hi", "idempotency_key": "bulk-1"}
    refused_in_bulk("notification_status_valid", Notification, **fields, status="lost")
    refused_update("notification_status_valid", notification, status="lost")


def test_audit_actor_and_entity_types_are_checked_by_the_database(db):
    entry = AuditLogFactory()
    fields = {"entity_id": "x", "action": "updated", "actor_id": "system"}
    refused_in_bulk(
        "audit_actor_type_valid", AuditLog, **fields, entity_type="team", actor_type="robot"
    )
    refused_in_bulk(
        "audit_entity_type_valid", AuditLog, **fields, entity_type="spaceship", actor_type="system"
    )
    refused_update("audit_actor_type_valid", entry, actor_type="robot")
    refused_update("audit_entity_type_valid", entry, entity_type="spaceship")
