"""Escalation level 2 tags each team's backup on-call; a team without a backup line (or with
nobody on it now) still gives its leads. Delivered over real HTTP to the fake Slack."""

import datetime

import pytest
from django.utils import timezone

from escalation.actions import EscalationRequest, escalation_climb, escalation_create
from escalation.oncall_reply import oncall_reply
from oncall_project.base.outbox import delivery
from oncall_project.base.outbox.models import Notification
from schedules import oncall_now
from schedules.actions import rotation_config_update
from teams.actions import RotationSettings
from teams.models import TeamRole
from tests.api_support import client_for
from tests.escalation.test_slack_views import SECRET, signed_post
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory


@pytest.fixture
def org(db):
    """Payments: primary Alice (its default), a backup line of Bob and Carol; Auth: no backup
    line, lead Lena."""
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY")
    MembershipFactory(team=payments, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    for uid in ("U_BOB", "U_CAROL"):
        MembershipFactory(team=payments, slack_user_id=uid)
    payments.memberships.filter(slack_user_id="U_LEAD").update(is_eligible_for_backup=False)
    rotation_config_update(
        team=payments,
        actor=None,
        role="backup",
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_interval="weekly",
            rotation_start_date=timezone.now().date() - datetime.timedelta(days=21),
        ),
    )
    auth = TeamFactory(name="Auth & Identity", oncall_engineer="U_DAVE")
    MembershipFactory(team=auth, slack_user_id="U_LENA", team_role=TeamRole.LEAD)
    ServiceFactory(name="Payment", team=payments)
    ServiceFactory(name="Auth", team=auth)
    Notification.objects.all().delete()
    return payments


def _backup_answer(team) -> str:
    return oncall_now.on_call_now([team], timezone.now(), "backup")[team.pk].engineer


def create(**fields):
    values = {
        "bug_id": "BUG-7",
        "severity": "high",
        "services": ["Payment", "Auth"],
        "channel_id": "C_BUGS",
        "thread_ts": "1700.000100",
        **fields,
    }
    return escalation_create(actor=None, request=EscalationRequest(**values)).escalation


def test_level_two_tags_the_backup_and_the_leads_of_teams_without_one(org):
    backup = _backup_answer(org)
    assert backup in ("U_BOB", "U_CAROL")
    esc = create(escalation_level=2)
    assert esc.mentions == ["<@U_ALICE>", "<@U_DAVE>", f"<@{backup}>", "<@U_LENA>"]
    assert "<@U_LEAD>" not in esc.mentions, "Payments' lead is not paged: it has a backup"


def test_the_climb_to_level_two_reaches_slack_tagging_the_backup(org, fake_slack):
    backup = _backup_answer(org)
    esc = create(ack_timeout_minutes=5)
    escalation_climb(escalation_id=esc.pk, token=esc.token)
    for note in Notification.objects.order_by("created_at"):
        delivery.deliver(note.pk)
    posts = fake_slack.calls_to("chat.postMessage")
    assert [p.body["thread_ts"] for p in posts] == ["1700.000100", "1700.000100"]
    assert "(Level 1)" in posts[0].body["text"] and f"<@{backup}>" not in posts[0].body["text"]
    assert "(Level 2)" in posts[1].body["text"]
    assert f"<@{backup}>" in posts[1].body["text"] and "<@U_LENA>" in posts[1].body["text"]


@pytest.fixture
def signing_secret(settings):
    settings.SLACK_SIGNING_SECRET = SECRET


def test_oncall_in_slack_shows_the_backup(client, org, signing_secret):
    backup = _backup_answer(org)
    for asked in ("payment", "payments"):
        response = signed_post(client, "/slack/commands/", {"command": "/oncall", "text": asked})
        first, second = response.json()["text"].split("\n")
        assert "<@U_ALICE>" in first
        assert second.startswith(f"Backup on-call: <@{backup}> until ")
    text = signed_post(client, "/slack/commands/", {"text": "auth"}).json()["text"]
    assert "Backup" not in text, "a team without a backup line reads as before"


def test_the_lookup_text_tool_shows_the_backup(org):
    bot = client_for("token")
    backup = _backup_answer(org)
    name = org.memberships.get(slack_user_id=backup).display_name  # the team's name for them
    text = bot.get("/api/v1/services/lookup/?name=payment&format=text").content.decode()
    assert text.splitlines()[-1] == f"Backup on-call: {name} (<@{backup}>)"
    body = bot.get("/api/v1/services/lookup/?name=payment").json()
    assert (body["backup_oncall"], body["backup_oncall_name"]) == (backup, name)
    plain = bot.get("/api/v1/services/lookup/?name=auth&format=text").content.decode()
    assert "Backup" not in plain and plain.splitlines()[-1].startswith("Team Slack group:")
    body = bot.get("/api/v1/services/lookup/?name=auth").json()
    assert "backup_oncall" not in body and "backup_oncall_name" not in body


def test_oncall_alone_marks_the_callers_backup_shifts(org):
    """Bob and Carol take the backup line in turns, week by week: each turn is told as backup."""
    engineer = _backup_answer(org)
    header, *shifts = oncall_reply("", engineer, timezone.now()).split("\n")
    assert header == "Your on-call shifts in the next 28 days:"
    assert len(shifts) >= 2
    assert all(shift.startswith("• *Payments* (backup): ") for shift in shifts), shifts
