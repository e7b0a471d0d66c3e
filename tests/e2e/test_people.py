"""People by name in a real browser: the override picker finds Alice by typing "ali", by mouse
on a laptop and by keyboard on a phone, and the override is hers; the custom order is picked
name by name. No Slack id is typed."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schedules.models import Override
from teams.models import Person, Team
from tests.e2e.conftest import log_in, page_problems
from tests.e2e.test_journeys import on_call_team, user
from tests.factories import MembershipFactory, ScheduleFactory, TeamFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def people() -> None:
    """Payments (Alice, Bob) and, in another team, Alina: "ali" finds two people."""
    on_call_team()
    user("bob", "U_BOB")
    for slack_id, name in [("U_ALICE", "Alice Nguyen"), ("U_BOB", "Bob Martins")]:
        Person.objects.update_or_create(slack_user_id=slack_id, defaults={"display_name": name})
    auth = TeamFactory(name="Auth & Identity", slug="auth")
    MembershipFactory(team=auth, slack_user_id="U_ALINA", display_name="Alina Petrova")
    Person.objects.update_or_create(
        slack_user_id="U_ALINA", defaults={"display_name": "Alina Petrova"}
    )


def request_cover(page, *, keyboard: bool) -> None:
    page.goto("/teams/payments/overrides/")
    who = page.get_by_role("combobox", name="Who covers")
    who.click()
    who.press_sequentially("ali", delay=40)
    options = page.get_by_role("listbox", name="People found")
    alice = options.get_by_role("option", name="Alice Nguyen")
    expect(alice).to_be_visible()
    expect(options.get_by_role("option", name="Alina Petrova")).to_contain_text("from Auth")
    assert page_problems(page) == {}
    if keyboard:
        who.press("ArrowDown")
        expect(alice).to_have_attribute("aria-selected", "true")
        who.press("Enter")
    else:
        alice.click()
    expect(page.locator(".picker-chosen").first).to_have_text("Alice Nguyen")
    expect(options).to_be_hidden()
    start = timezone.localdate() + datetime.timedelta(days=3)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(start.isoformat())
    page.get_by_role("button", name="Request override").click()
    expect(page.get_by_text("Override requested")).to_be_visible()


@pytest.mark.parametrize(("width", "height", "keyboard"), [(1280, 900, False), (390, 844, True)])
def test_typing_ali_and_choosing_alice_requests_an_override_for_u_alice(
    open_page, artifacts, width, height, keyboard
):
    people()
    page = open_page(width=width, height=height)
    log_in(page, "bob")
    request_cover(page, keyboard=keyboard)
    assert Override.objects.get().engineer_slack_id == "U_ALICE"
    row = page.get_by_role("row").filter(has_text="Alice Nguyen")
    expect(row).to_contain_text("U_ALICE")
    page.screenshot(path=artifacts / f"override-picker-{width}.png", full_page=True)


def test_the_custom_order_is_picked_name_by_name(open_page):
    user("lead", "U_LEAD")
    people()
    team = Team.objects.get(slug="payments")
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role="lead")
    Person.objects.filter(slack_user_id="U_LEAD").update(display_name="Lena Lead")
    page = open_page()
    log_in(page, "lead")
    page.goto("/teams/payments/rotation/")
    order = page.get_by_role("combobox", name="Custom order")
    for typed, name in [("bob", "Bob Martins"), ("ali", "Alice Nguyen")]:
        order.press_sequentially(typed, delay=40)
        page.get_by_role("option", name=name).click()
    expect(order).to_have_value("U_BOB, U_ALICE, ")
    page.get_by_label("Rotation on").check()
    page.get_by_label("Type", exact=True).select_option("custom_order")
    page.get_by_label("Starts").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Rotation saved")).to_be_visible()
    assert Team.objects.get(slug="payments").rotation_order == ["U_BOB", "U_ALICE"]


def test_a_viewer_in_berlin_reads_a_new_york_team_on_both_clocks(open_page):
    team = TeamFactory(name="Ledger", slug="ledger", timezone="America/New_York")
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob Martins")
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=timezone.localdate() - datetime.timedelta(days=1),
        end_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    user("bob", "U_BOB")
    Person.objects.filter(slack_user_id="U_BOB").update(timezone="Europe/Berlin")
    page = open_page()
    log_in(page, "bob")
    page.goto("/teams/ledger/")
    until = page.locator(".now div").filter(has_text="Until").locator("dd")
    expect(until).to_have_text(re.compile(r"09:00 E[SD]T · 1[45]:00 CES?T$"))
    page.goto("/")
    row = page.get_by_role("row").filter(has_text="Ledger")
    expect(row.locator("td[data-label=Until]")).to_have_text(re.compile(r"1[45]:00 CES?T$"))


def test_someone_outside_a_team_is_offered_no_override_form_and_no_ical_secret(open_page):
    people()
    user("dave", "U_DAVE")
    page = open_page(width=390, height=844)
    log_in(page, "dave")
    page.goto("/teams/payments/overrides/")
    expect(page.get_by_text("may request overrides")).to_be_visible()
    expect(page.get_by_role("button", name="Request override")).to_have_count(0)
    page.goto("/teams/payments/")
    expect(page.get_by_text("Calendar feed")).to_have_count(0)
