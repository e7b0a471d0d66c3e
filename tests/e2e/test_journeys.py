"""What engineers do every day, in a real browser: sign in, see who is on call, set up a team
with a weighted rotation (preview, save, generate), ask for an override and have a lead approve
it, then read every step in the audit trail. And the pages fit a phone."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditLog
from schedules.models import Override, Schedule
from teams.models import Team
from tests.e2e.conftest import PASSWORD, log_in, page_problems
from tests.factories import (
    AuditLogFactory,
    MembershipFactory,
    OnCallRecordFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
    UnavailabilityFactory,
    linked_person,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def user(username: str, slack_user_id: str | None = None, **fields):
    account = get_user_model().objects.create_user(username, password=PASSWORD, **fields)
    if slack_user_id:
        linked_person(account, slack_user_id)
    return account


def on_call_team() -> Team:
    today = timezone.localdate()
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Nguyen")
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob Martins")
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_BOB",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=3),
    )
    ServiceFactory(name="Payment API", team=team, tier="critical")
    return team


def test_sign_in_and_the_dashboard_shows_who_is_on_call(open_page, artifacts):
    on_call_team()
    user("bob", "U_BOB")
    page = open_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    log_in(page, "bob")
    expect(page.get_by_role("heading", name="Who is on call now")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Payments")
    expect(row).to_contain_text("Bob Martins")
    expect(row).to_contain_text("U_BOB")
    expect(row).to_contain_text("Manual schedule")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)

    page.get_by_label("Who is on call for a service or team").fill("Payment API")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator(".answer")).to_contain_text("<@U_BOB>")
    page.screenshot(path=artifacts / "lookup.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


# Every page an engineer opens, with the forms a staff user sees (a superset of the others').
PHONE_PAGES = [
    "/",
    "/who/",
    "/who/?q=Payment+API",
    "/who/?q=nothing-by-that-name",
    "/teams/",
    "/teams/new/",
    "/teams/payments/",
    "/teams/payments/settings/",
    "/teams/payments/members/",
    "/teams/payments/members/U_BOB/edit/",
    "/teams/payments/schedules/",
    "/teams/payments/schedules/{schedule}/edit/",
    "/teams/payments/overrides/",
    "/teams/payments/rotation/",
    "/teams/payments/history/",
    "/services/",
    "/services/new/",
    "/services/{service}/",
    "/services/{service}/edit/",
    "/services/{service}/delete/",
    "/me/schedule/",
    "/profile/",
    "/audit/",
    "/fairness/",
    "/no-such-page/",
]


def busy_team() -> dict[str, str]:
    """The on-call team with something on every tab: a pending override, time away, the
    ledger, audit entries with long values."""
    team = on_call_team()
    today = timezone.localdate()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role="lead")
    OverrideFactory(
        team=team,
        engineer_slack_id="U_ALICE",
        replaces_slack_id="U_BOB",
        start_date=today + datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=11),
        reason="A long reason that needs to wrap on a phone screen without pushing it wider",
    )
    UnavailabilityFactory(
        team=team,
        slack_user_id="U_ALICE",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=27),
    )
    OnCallRecordFactory(team=team, engineer_slack_id="U_BOB", on_call_date=today)
    AuditLogFactory(
        team=team,
        entity_type="team",
        entity_id=str(team.pk),
        changes={"description": {"old": "x" * 200, "new": "https://example.com/" + "y" * 200}},
    )
    return {
        "schedule": str(Schedule.objects.get(team=team).pk),
        "service": str(team.services.get().pk),
    }


def test_every_page_fits_a_phone_and_labels_every_input(open_page, artifacts):
    ids = busy_team()
    user("ops", "U_ALICE", is_staff=True)
    page = open_page(width=390, height=844)
    log_in(page, "ops")
    problems = {}
    for path in PHONE_PAGES:
        page.goto(path.format(**ids))
        problems[path] = page_problems(page)
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"
        page.screenshot(path=artifacts / f"{name}-390.png", full_page=True)
    assert {path: found for path, found in problems.items() if found} == {}


def test_pages_a_member_sees_fit_a_phone(open_page):
    busy_team()
    user("bob", "U_BOB")
    page = open_page(width=390, height=844)
    log_in(page, "bob")
    problems = {}
    for path in ["/", "/teams/payments/", "/teams/payments/members/", "/me/schedule/"]:
        page.goto(path)
        problems[path] = page_problems(page)
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_login_page_fits_a_phone(open_page):
    page = open_page(width=390, height=844)
    page.goto("/accounts/login/")
    assert page_problems(page) == {}


def test_htmx_swaps_fit_a_phone(open_page):
    busy_team()
    user("ops", "U_OPS", is_staff=True)
    page = open_page(width=390, height=844)
    log_in(page, "ops")
    page.goto("/teams/payments/members/")
    page.get_by_role("link", name="Edit Bob Martins").click()
    expect(page.locator("form#member-U_BOB")).to_be_visible()
    assert page_problems(page) == {}
    page.locator("form#member-U_BOB").get_by_role("button", name="Preview").click()
    expect(page.locator("#member-preview-U_BOB")).to_contain_text("has no rotation")
    assert page_problems(page) == {}
    page.goto("/teams/payments/rotation/")
    page.get_by_label("Rotation on").check()
    page.get_by_label("Starts").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#rotation-panel")
    expect(preview.get_by_role("heading", name="Next periods")).to_be_visible()
    assert page_problems(page) == {}


def test_members_are_edited_in_place(open_page):
    team = on_call_team()
    user("lead", "U_LEAD")
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role="lead")
    page = open_page()
    log_in(page, "lead")
    page.goto("/teams/payments/members/")
    page.get_by_role("link", name="Edit Bob Martins").click()
    form = page.locator("form#member-U_BOB")
    form.get_by_label("Weight").fill("2.5")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("article#member-U_BOB")).to_contain_text("2.5")
    assert page.url.endswith("/teams/payments/members/")  # swapped in place, no navigation


def test_a_member_edit_and_a_removal_are_previewed_before_they_are_saved(open_page):
    """Alice and Bob take weekly turns: the lead sees who would take Bob's weeks before
    taking him off the rotation (in place; nothing is saved until Save), and what removing
    Alice would move before the button that removes her."""
    team = on_call_team()
    Team.objects.filter(pk=team.pk).update(
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        rotation_start_date=timezone.localdate() - datetime.timedelta(days=14),
    )
    user("lead", "U_LEAD")
    MembershipFactory(
        team=team, slack_user_id="U_LEAD", team_role="lead", is_eligible_for_oncall=False
    )
    page = open_page()
    log_in(page, "lead")
    page.goto("/teams/payments/members/")
    page.get_by_role("link", name="Edit Bob Martins").click()
    form = page.locator("form#member-U_BOB")
    form.get_by_label("Eligible for on-call").uncheck()
    form.get_by_role("button", name="Preview").click()
    preview = page.locator("#member-preview-U_BOB")
    expect(preview).to_contain_text("If saved: the primary line")
    expect(preview.get_by_role("row").nth(1)).to_contain_text("Bob Martins")
    expect(preview.get_by_role("row").nth(1)).to_contain_text("Alice Nguyen")
    assert page.url.endswith("/teams/payments/members/")  # in place, no navigation
    assert team.memberships.get(slack_user_id="U_BOB").is_eligible_for_oncall
    form.get_by_role("button", name="Save").click()
    expect(page.locator("article#member-U_BOB")).to_contain_text("not eligible")
    # adding someone shows whose turns they would take, below the add form
    add = page.locator("form").filter(has=page.get_by_role("button", name="Add member"))
    add.get_by_label("Person").fill("U_LEAD")
    add.get_by_label("Eligible for on-call").check()
    add.get_by_role("button", name="Preview").click()
    expect(page.locator("#member-preview-new")).to_contain_text("If added: the primary line")
    # removing shows what it would move first; only the button there removes
    page.get_by_role("link", name="Remove Alice Nguyen").click()
    expect(page.get_by_role("heading", name="Remove Alice Nguyen from Payments?")).to_be_visible()
    expect(page.locator("#member-preview-U_ALICE")).to_contain_text("If removed: the primary line")
    assert team.memberships.filter(slack_user_id="U_ALICE").exists()
    page.get_by_role("button", name="Remove Alice Nguyen").click()
    expect(page.get_by_text("Alice Nguyen removed from Payments.")).to_be_visible()
    assert not team.memberships.filter(slack_user_id="U_ALICE").exists()


def test_team_setup_rotation_override_and_audit_trail(open_page, artifacts):
    user("ops", is_staff=True)
    user("lead", "U_LEAD")
    user("member", "U_MEMBER")
    staff = open_page()
    log_in(staff, "ops")

    # Create a team and add its members with weights.
    staff.goto("/teams/new/")
    staff.get_by_label("Name", exact=True).fill("Search")
    staff.get_by_label("Time zone").fill("Europe/Berlin")
    staff.get_by_label("Overrides require approval").check()
    staff.get_by_role("button", name="Create team").click()
    expect(staff.get_by_role("heading", name="Search")).to_be_visible()
    staff.get_by_role("link", name="Members").click()
    for slack_id, role, weight in [
        ("U_LEAD", "lead", "1"),
        ("U_MEMBER", "member", "1"),
        ("U_HEAVY", "member", "2"),
    ]:
        add = staff.locator("form").filter(has=staff.get_by_role("button", name="Add member"))
        add.get_by_label("Person").fill(slack_id)
        add.get_by_label("Role").select_option(role)
        add.get_by_label("Weight").fill(weight)
        add.get_by_role("button", name="Add member").click()
        expect(staff.locator(f"#member-{slack_id}")).to_be_visible()

    # Configure a weighted rotation, preview it, save it, generate the coming periods.
    staff.get_by_role("link", name="Rotation").click()
    staff.get_by_label("Rotation on").check()
    staff.get_by_label("Type", exact=True).select_option("weighted")
    staff.get_by_label("Starts").fill(timezone.localdate().isoformat())
    staff.get_by_role("button", name="Preview").click()
    preview = staff.locator("#rotation-panel")
    expect(preview.get_by_role("heading", name="Next periods")).to_be_visible()
    expect(preview).to_contain_text("U_HEAVY")
    assert not Team.objects.get(slug="search").rotation_enabled  # a preview saves nothing
    staff.screenshot(path=artifacts / "rotation-preview.png", full_page=True)
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("Rotation saved")).to_be_visible()
    staff.get_by_label("Periods to generate").fill("6")
    staff.get_by_role("button", name="Generate").click()
    expect(staff.get_by_role("heading", name="Schedules")).to_be_visible()
    assert Schedule.objects.filter(team__slug="search", origin="auto").count() >= 6

    # A member asks for cover; the lead approves it from the dashboard.
    member = open_page()
    log_in(member, "member")
    member.goto("/teams/search/overrides/")
    start = timezone.localdate() + datetime.timedelta(days=2)
    member.get_by_label("Who covers").fill("U_MEMBER")
    member.get_by_label("Instead of").fill("U_HEAVY")
    member.get_by_label("Start date").fill(start.isoformat())
    member.get_by_label("End date").fill(start.isoformat())
    member.get_by_label("Reason").fill("Dentist")
    member.get_by_role("button", name="Request override").click()
    expect(member.get_by_text("waiting for a lead")).to_be_visible()

    lead = open_page()
    log_in(lead, "lead")
    waiting = lead.get_by_role("region", name="Overrides waiting for your decision")
    expect(waiting).to_contain_text("Dentist")
    lead.screenshot(path=artifacts / "dashboard-lead.png", full_page=True)
    waiting.get_by_role("button", name="Approve").click()
    expect(lead.get_by_text("Override approved")).to_be_visible()
    assert Override.objects.get().status == "approved"

    # The audit trail shows every step.
    lead.goto("/teams/search/history/")
    expected = [
        "created team",
        "created team membership",
        "updated rotation config",
        "generated rotation config",
        "override requested override",
        "override approved override",
    ]
    for words in expected:
        expect(lead.locator("details.entry summary").filter(has_text=words).first).to_be_visible()
    lead.screenshot(path=artifacts / "team-history.png", full_page=True)
    assert AuditLog.objects.filter(metadata__source="page").count() >= 8
    lead.goto("/teams/search/")
    lead.screenshot(path=artifacts / "team-overview.png", full_page=True)
