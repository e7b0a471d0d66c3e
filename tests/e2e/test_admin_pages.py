"""The admin in a real browser at 1280 px: change lists fit without scrolling sideways, a
team's rotation order reads as people and its handoff day as a weekday, and person fields are
pickers."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from teams.models import Team
from tests.e2e.conftest import PASSWORD, WIDER_THAN_THE_SCREEN, no_horizontal_scroll
from tests.e2e.test_journeys import busy_team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULTS_OVERFLOW = """() => [...document.querySelectorAll("#changelist .results")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.scrollWidth} px in ${box.clientWidth} px`)"""

CHANGE_LISTS = [
    "teams/team",
    "teams/teammembership",
    "teams/unavailability",
    "teams/person",
    "schedules/schedule",
    "schedules/override",
    "schedules/oncallrecord",
    "services/service",
    "audit/auditlog",
    "escalation/escalation",
    "outbox/notification",
]


def admin_page(open_page):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    page = open_page(width=1280, height=900)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    return page


def test_admin_change_lists_fit_1280_px(open_page, artifacts):
    busy_team()
    call_command("seed_demo", stdout=io.StringIO())  # names, overrides, history as in the demo
    page = admin_page(open_page)
    wide = {}
    for model in CHANGE_LISTS:
        page.goto(f"/admin/{model}/")
        # The admin scrolls a wide table inside its box: measure the box, not the page.
        overflow = page.evaluate(RESULTS_OVERFLOW)
        if overflow or not no_horizontal_scroll(page):
            wide[model] = overflow or page.evaluate(WIDER_THAN_THE_SCREEN)
            page.screenshot(path=artifacts / f"admin-{model.replace('/', '-')}.png")
    assert wide == {}


def test_the_team_form_shows_the_rotation_order_as_people_and_the_handoff_day_by_name(
    open_page,
):
    busy_team()
    Team.objects.filter(slug="payments").update(rotation_order=["U_BOB", "U_ALICE"], handoff_day=0)
    team = Team.objects.get(slug="payments")
    page = admin_page(open_page)
    page.goto(f"/admin/teams/team/{team.pk}/change/")
    expect(page.get_by_label("Rotation order")).to_have_value("U_BOB, U_ALICE")
    expect(page.get_by_label("Handoff day")).to_have_value("0")
    expect(page.get_by_label("Handoff day").locator("option:checked")).to_have_text("Monday")
    expect(page.get_by_role("combobox", name="Oncall engineer")).to_be_visible()
