"""The backup line in a real browser, on a desktop and on a phone: a lead turns it on from the
rotation tab (preview first, then save), the team's overview and calendar show both lines, and
the backup's own schedule shows its shifts marked "Backup"."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schedules.models import Schedule
from teams.models import BackupLine
from tests.e2e.conftest import log_in, page_problems
from tests.e2e.test_journeys import user
from tests.factories import MembershipFactory, TeamFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTHS = [(1280, 900), (390, 844)]


def team_with_people():
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    for uid, name in [("U_ALICE", "Alice Nguyen"), ("U_BOB", "Bob Martins")]:
        MembershipFactory(team=team, slack_user_id=uid, display_name=name)
    MembershipFactory(team=team, slack_user_id="U_LEAD", display_name="Lee Lead", team_role="lead")
    return team


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_a_lead_turns_the_backup_line_on_and_both_lines_show(open_page, artifacts, width, height):
    team = team_with_people()
    user("lead", "U_LEAD")
    page = open_page(width=width, height=height)
    log_in(page, "lead")

    page.goto("/teams/payments/rotation/")
    page.get_by_role("link", name=re.compile("Backup line")).click()
    expect(page.get_by_role("heading", name="Backup rotation settings")).to_be_visible()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    page.get_by_label("Rotation on").check()
    page.get_by_label("Starts").fill(monday.isoformat())
    page.get_by_role("button", name="Preview").click()
    panel = page.locator("#rotation-panel")
    expect(panel.get_by_role("heading", name="Next periods")).to_be_visible()
    expect(panel).to_contain_text("Bob Martins")  # Alice is primary (the default) every day
    assert not BackupLine.objects.exists(), "a preview saves nothing"
    assert page_problems(page) == {}
    page.screenshot(path=artifacts / f"backup-rotation-{width}.png", full_page=True)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Backup rotation saved")).to_be_visible()
    assert BackupLine.objects.get(team=team).rotation_enabled
    assert Schedule.objects.filter(team=team, role="backup").exists()

    page.goto("/teams/payments/")
    now = page.locator(".backup-now")
    expect(now).to_contain_text("Backup on call")
    expect(now).to_contain_text("Bob Martins")
    expect(page.locator(".calendar td.today .who.backup")).to_contain_text("Bob")
    assert page_problems(page) == {}
    page.screenshot(path=artifacts / f"backup-overview-{width}.png", full_page=True)


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["desktop", "phone"])
def test_the_backups_own_schedule_marks_backup_shifts(open_page, artifacts, width, height):
    team = team_with_people()
    today = timezone.localdate()
    # A backup line whose rotation starts in two months; until then, Bob's backup schedule.
    BackupLine.objects.create(
        team=team, rotation_enabled=True, rotation_start_date=today + datetime.timedelta(days=60)
    )
    Schedule.objects.create(
        team=team,
        role="backup",
        engineer_slack_id="U_BOB",
        start_date=today + datetime.timedelta(days=2),
        end_date=today + datetime.timedelta(days=4),
    )
    user("bob", "U_BOB")
    page = open_page(width=width, height=height)
    log_in(page, "bob")
    page.goto("/me/schedule/")
    row = page.get_by_role("row").filter(has_text="Payments")
    expect(row).to_contain_text("Backup")
    assert page_problems(page) == {}
    page.screenshot(path=artifacts / f"backup-my-schedule-{width}.png", full_page=True)
