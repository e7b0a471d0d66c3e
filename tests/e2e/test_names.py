"""Names where pages showed Slack ids, in a real browser at 1280 and 390 px: the schedule edit
page and its prefilled picker, a member added without a display name, and the "unconfirmed"
mark beside someone only old data names."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schedules.models import Schedule
from teams.models import Person, TeamMembership
from tests.e2e.conftest import log_in, page_problems
from tests.e2e.test_journeys import on_call_team, user
from tests.factories import MembershipFactory, ScheduleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = [(1280, 900), (390, 844)]


def lead_of_payments():
    team = on_call_team()
    # The directory calls Bob as his team does (pages and pickers name him as the team does).
    Person.objects.filter(slack_user_id="U_BOB").update(display_name="Bob Martins")
    user("lead", "U_LEAD")
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role="lead", display_name="Lena")
    return team


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_schedule_edit_page_names_the_engineer_and_shows_them_as_chosen(
    open_page, artifacts, width, height
):
    lead_of_payments()
    schedule = Schedule.objects.get(engineer_slack_id="U_BOB")
    page = open_page(width=width, height=height)
    log_in(page, "lead")
    page.goto(f"/teams/payments/schedules/{schedule.pk}/edit/")
    heading = page.get_by_role("heading", name="Edit the manual schedule of Bob Martins")
    expect(heading).to_be_visible()
    expect(heading).to_contain_text("U_BOB")  # the id beside the name, to copy
    who = page.get_by_role("combobox", name="Engineer")
    expect(who).to_have_value("U_BOB")
    chosen = page.locator(".picker-chosen")
    expect(chosen).to_have_text("Bob Martins")
    expect(chosen).to_be_visible()
    assert page_problems(page) == {}
    # Typing clears the name shown: the input no longer holds Bob.
    who.press_sequentially("x", delay=20)
    expect(chosen).to_have_text("")
    page.screenshot(path=artifacts / f"schedule-edit-{width}.png", full_page=True)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_member_added_without_a_display_name_is_shown_and_edited_by_name(
    open_page, width, height
):
    team = lead_of_payments()
    MembershipFactory(team=team, slack_user_id="U_CAROL", display_name="")
    Person.objects.filter(slack_user_id="U_CAROL").update(display_name="Carol Diaz")
    page = open_page(width=width, height=height)
    log_in(page, "lead")
    page.goto("/teams/payments/members/")
    card = page.locator("article#member-U_CAROL")
    expect(card.locator("strong")).to_have_text("Carol Diaz")
    page.get_by_role("link", name="Edit Carol Diaz").click()
    form = page.locator("form#member-U_CAROL")
    expect(form.locator("strong")).to_have_text("Carol Diaz")
    form.get_by_label("Weight").fill("2")
    form.get_by_role("button", name="Save").click()
    expect(card.locator("strong")).to_have_text("Carol Diaz")
    expect(card).to_contain_text("2.0")
    assert TeamMembership.objects.get(slack_user_id="U_CAROL").weight == 2
    assert page_problems(page) == {}


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_someone_only_old_data_names_is_marked_unconfirmed(open_page, artifacts, width, height):
    team = lead_of_payments()
    Person.objects.create(slack_user_id="U_OLDTIMER", is_active=False, status="unconfirmed")
    start = timezone.localdate() + datetime.timedelta(days=20)
    ScheduleFactory(team=team, engineer_slack_id="U_OLDTIMER", start_date=start, end_date=start)
    page = open_page(width=width, height=height)
    log_in(page, "lead")
    page.goto("/teams/payments/schedules/")
    row = page.get_by_role("row").filter(has_text="U_OLDTIMER")
    mark = row.locator(".badge-unconfirmed")
    expect(mark).to_be_visible()
    expect(mark).to_have_text("unconfirmed")
    assert "before the people directory" in mark.get_attribute("title")
    assert page_problems(page) == {}
    page.screenshot(path=artifacts / f"unconfirmed-{width}.png", full_page=True)
