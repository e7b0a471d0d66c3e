"""A person's own shifts list the backup line's beside the primary's, marked as backup: the
API's `/users/{id}/schedules/` (`role`, handoffs at the backup's own time) and `/oncall` with
no argument in Slack ("(backup)")."""

import datetime

import pytest
from django.utils import timezone

from schedules import domain
from schedules.lines import line_state
from schedules.models import Role
from tests.api_support import client_for
from tests.escalation.test_slack_views import SECRET, signed_post
from tests.schedules.test_line_clash import make_team

DAY = datetime.timedelta(days=1)


@pytest.fixture
def staff(db):
    return client_for("staff")


@pytest.fixture
def team(staff):
    """Primary weekly at 09:00, backup daily at 18:00."""
    return make_team(staff, "18:00")


def backup_of(team, day: datetime.date) -> str:
    engineer = domain.resolve_day(line_state(team, Role.BACKUP, day), day).engineer
    assert engineer
    return engineer


def test_a_persons_schedule_lists_their_backup_shifts_with_the_role(staff, team):
    day = timezone.now().date() + 3 * DAY
    person = backup_of(team, day)
    query = f"?from={day}&to={day + 6 * DAY}"
    periods = staff.get(f"/api/v1/users/{person}/schedules/{query}").json()["periods"]
    backup = [p for p in periods if p["role"] == "backup"]
    assert backup and backup[0]["start_date"] == str(day), periods
    assert backup[0]["from"].startswith(f"{day}T18:00:00"), "the backup line's own handoff"
    assert all(p["role"] in ("primary", "backup") for p in periods)
    primary = [p for p in periods if p["role"] == "primary"]
    assert all(p["from"][11:16] == "09:00" for p in primary)
    for b in backup:  # never on both lines on one date
        assert not [p for p in primary if p["start_date"] <= b["start_date"] <= p["end_date"]]


def test_oncall_alone_in_slack_marks_the_callers_backup_shifts(client, settings, team):
    settings.SLACK_SIGNING_SECRET = SECRET
    day = timezone.now().date() + 2 * DAY
    person = backup_of(team, day)
    text = signed_post(client, "/slack/commands/", {"text": "", "user_id": person}).json()["text"]
    assert text.startswith("Your on-call shifts in the next 28 days:")
    assert "• *Payments* (backup): " in text, text
