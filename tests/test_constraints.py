"""The database refuses bad rows even when a write skips clean()."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from schedules.models import OnCallRecord, Override, Schedule
from services.models import Service
from teams.models import Team, TeamMembership, Unavailability
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory

D = datetime.date


def refused(model, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


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
