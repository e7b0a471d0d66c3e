"""Whom each escalation level may tag (escalation.audience), read through the escalation's
mentions: level 1 each service's on-call, level 2 each team's backup on-call or else its
leads, level 3 the Slack groups.
Ledger has no Slack group: a group would answer for it where nobody is on call."""

import datetime

import pytest
from django.utils import timezone

from escalation.actions import EscalationRequest, escalation_create
from schedules.actions import rotation_config_update
from teams.actions import RotationSettings
from teams.models import BackupLine, Team, TeamRole
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory


@pytest.fixture
def ledger(db):
    """Nobody is on call for Ledger; its leads are Zed (the senior) and Amy, beside a member."""
    team = TeamFactory(name="Ledger")
    MembershipFactory(
        team=team,
        slack_user_id="U_AMY",
        team_role=TeamRole.LEAD,
        joined_at=datetime.date(2026, 3, 1),
    )
    MembershipFactory(
        team=team,
        slack_user_id="U_ZED",
        team_role=TeamRole.LEAD,
        joined_at=datetime.date(2025, 3, 1),
    )
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    ServiceFactory(name="Ledger API", team=team)
    return team


def mentions(level: int, services=("Ledger API",)) -> list[str]:
    request = EscalationRequest(
        bug_id=f"BUG-{level}",
        services=list(services),
        channel_id="C_BUGS",
        escalation_level=level,
    )
    return escalation_create(actor=None, request=request).escalation.mentions


def test_a_service_nobody_answers_for_still_pages_its_teams_leads(ledger):
    assert mentions(1) == []
    assert mentions(2) == ["<@U_ZED>", "<@U_AMY>"]


def test_level_two_pages_every_lead_senior_first(ledger):
    ledger.oncall_engineer = "U_DUTY"
    ledger.save()
    assert mentions(2) == ["<@U_DUTY>", "<@U_ZED>", "<@U_AMY>"]


def test_a_backup_line_with_nobody_on_it_now_gives_the_leads(ledger):
    ledger.memberships.update(is_eligible_for_backup=False)
    backup = RotationSettings(
        rotation_enabled=True,
        rotation_interval="weekly",
        rotation_start_date=timezone.now().date() - datetime.timedelta(days=7),
    )
    rotation_config_update(team=ledger, actor=None, role="backup", settings=backup)
    assert mentions(2) == ["<@U_ZED>", "<@U_AMY>"]


def test_a_team_that_cannot_answer_still_has_its_service_paged_and_its_leads_at_level_two(
    ledger,
):
    """Ledger's zone went in a tzdata update since it was saved, and it runs a backup line:
    the service pages the team's default at level 1 and the leads at level 2, beside the
    services of the teams that answer as ever."""
    ledger.oncall_engineer = "U_DUTY"
    ledger.save()
    BackupLine.objects.create(
        team=ledger,
        rotation_enabled=True,
        rotation_interval="daily",
        rotation_start_date=timezone.now().date(),
    )
    Team.objects.filter(pk=ledger.pk).update(timezone="US/Pacific-New")
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    ServiceFactory(name="Checkout", team=payments)
    services = ("Checkout", "Ledger API")
    assert mentions(1, services) == ["<@U_ALICE>", "<@U_DUTY>"]
    assert mentions(2, services) == ["<@U_ALICE>", "<@U_DUTY>", "<@U_ZED>", "<@U_AMY>"]


def test_level_two_gives_each_teams_leads_in_the_order_their_services_were_named(ledger):
    vault = TeamFactory(name="Vault")
    MembershipFactory(team=vault, slack_user_id="U_LEAD1", team_role=TeamRole.LEAD)
    ServiceFactory(name="Vault API", team=vault)
    ledger_leads, vault_leads = ["<@U_ZED>", "<@U_AMY>"], ["<@U_LEAD1>"]
    for bug, services, expected in (
        ("BUG-LV", ["Ledger API", "Vault API"], ledger_leads + vault_leads),
        ("BUG-VL", ["Vault API", "Ledger API"], vault_leads + ledger_leads),
    ):
        request = EscalationRequest(
            bug_id=bug, services=services, channel_id="C_BUGS", escalation_level=2
        )
        assert escalation_create(actor=None, request=request).escalation.mentions == expected
