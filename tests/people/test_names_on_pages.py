"""Names where the pages showed Slack ids: edit pages, prefilled pickers, members added without
a display name, and the "unconfirmed" mark on people only old data named."""

import re

import pytest

from teams.models import Person, TeamMembership
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)
from tests.page_support import client_for, days

MARK = re.compile(r'<code class="slack-id">U_OLDTIMER</code> <span class="badge badge-unconfirmed"')


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")


@pytest.fixture
def oldtimer(db) -> Person:
    """Someone the migration found only in old data: no name, nobody confirmed them."""
    return Person.objects.create(slack_user_id="U_OLDTIMER", is_active=False, status="unconfirmed")


def chosen(page: str) -> list[str]:
    return re.findall(r'<span class="picker-chosen" aria-live="polite">([^<]*)</span>', page)


def test_the_schedule_edit_page_names_the_engineer_and_the_picker_shows_them(team):
    schedule = ScheduleFactory(team=team, engineer_slack_id="U_BOB")
    client = client_for("lead", team)
    page = client.get(f"/teams/payments/schedules/{schedule.pk}/edit/").content.decode()
    heading = re.search(r"<h2>Edit the .*? schedule of (.*?)</h2>", page, re.S).group(1)
    assert heading.startswith('<span class="person">Bob Stone <code class="slack-id">U_BOB')
    assert "Bob Stone" in chosen(page)


def test_the_team_settings_picker_shows_the_default_on_calls_name(team):
    page = client_for("staff").get("/teams/payments/settings/").content.decode()
    assert "Alice Nguyen" in chosen(page)


def test_the_custom_order_picker_shows_the_names_in_order(team):
    """As the team calls its members (Bobby), else as the directory does (Alice Nguyen)."""
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bobby")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="")
    TeamFactory._meta.model.objects.filter(pk=team.pk).update(rotation_order=["U_BOB", "U_ALICE"])
    page = client_for("staff").get("/teams/payments/rotation/").content.decode()
    assert "Bobby, Alice Nguyen" in chosen(page)


def test_an_empty_picker_shows_no_name(team):
    page = client_for("lead", team).get("/teams/payments/overrides/").content.decode()
    assert set(chosen(page)) == {""}


def test_a_member_without_a_display_name_is_shown_by_the_directorys_name(team):
    MembershipFactory(team=team, slack_user_id="U_CAROL", display_name="")
    client = client_for("lead", team)
    members = client.get("/teams/payments/members/").content.decode()
    assert '<strong>Carol Diaz</strong> <code class="slack-id">U_CAROL</code>' in members
    assert '<span class="visually-hidden"> Carol Diaz</span>' in members  # Remove Carol Diaz
    remove = client.get("/teams/payments/members/U_CAROL/remove/confirm/").content.decode()
    assert '<h2 id="member-remove-h">Remove Carol Diaz from Payments?</h2>' in remove
    edit = client.get("/teams/payments/members/U_CAROL/edit/").content.decode()
    assert "<h2>Edit Carol Diaz</h2>" in edit
    assert "<title>Edit Carol Diaz" in edit
    assert "<h2>Edit U_CAROL</h2>" not in edit


def test_a_member_saved_by_htmx_keeps_the_directorys_name(team):
    MembershipFactory(team=team, slack_user_id="U_CAROL", display_name="")
    response = client_for("lead", team).post(
        "/teams/payments/members/U_CAROL/edit/",
        {"display_name": "", "team_role": "member", "is_eligible_for_oncall": "on", "weight": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<strong>Carol Diaz</strong>" in response.content.decode()
    assert TeamMembership.objects.get(slack_user_id="U_CAROL").weight == 1


def test_an_unconfirmed_person_is_marked_on_the_schedules_and_overrides_tabs(team, oldtimer):
    ScheduleFactory(team=team, engineer_slack_id="U_OLDTIMER", start_date=days(1), end_date=days(2))
    OverrideFactory(team=team, engineer_slack_id="U_OLDTIMER", start_date=days(5), end_date=days(5))
    client = client_for("member", team)
    for path in ("/teams/payments/schedules/", "/teams/payments/overrides/"):
        page = client.get(path).content.decode()
        assert MARK.search(page), path
        assert "Only seen in data from before the people directory" in page


def test_an_unconfirmed_team_default_is_marked_on_the_overview_and_dashboard(db, oldtimer):
    team = TeamFactory(name="Legacy", slug="legacy", oncall_engineer="U_OLDTIMER")
    client = client_for("member", team)
    for path in ("/teams/legacy/", "/", "/teams/"):
        assert MARK.search(client.get(path).content.decode()), path


def test_a_confirmed_person_carries_no_mark(team):
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(1), end_date=days(2))
    page = client_for("member", team).get("/teams/payments/schedules/").content.decode()
    assert "Bob Stone" in page and "badge-unconfirmed" not in page


def test_the_fallback_chain_names_the_owner_and_team_default(team):
    service = ServiceFactory(name="Ledger", team=team, service_owner="U_CAROL")
    client = client_for("member", team)
    for path in (f"/services/{service.pk}/", "/who/?q=Ledger"):
        page = client.get(path).content.decode()
        chain = re.search(r'<ol class="chain">(.*?)</ol>', page, re.S).group(1)
        assert 'The service owner: <span class="person">Carol Diaz <code' in chain, path
        assert 'default on-call engineer: <span class="person">Alice Nguyen' in chain, path


def test_adding_and_removing_a_member_says_their_name(team):
    client = client_for("lead", team)
    body = {"slack_user_id": "U_CAROL", "team_role": "member", "weight": 1}
    added = client.post("/teams/payments/members/", body, follow=True).content.decode()
    assert "Carol Diaz is a member of Payments." in added
    removed = client.post("/teams/payments/members/U_CAROL/remove/", follow=True)
    assert "Carol Diaz removed from Payments." in removed.content.decode()


def test_a_team_tab_calls_a_member_as_the_team_does(team):
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bobby")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(1), end_date=days(2))
    client = client_for("member", team)
    for path in ("/teams/payments/schedules/", "/teams/payments/"):
        page = client.get(path).content.decode()
        assert 'Bobby <code class="slack-id">U_BOB</code>' in page, path


def test_a_team_form_calls_the_chosen_member_as_the_team_does(team):
    """The schedule edit page's heading and its prefilled picker name Bob alike: as the team
    calls him ("Bobby"), not once as the team and once as the directory ("Bob Stone")."""
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bobby")
    schedule = ScheduleFactory(team=team, engineer_slack_id="U_BOB")
    page = client_for("lead", team).get(f"/teams/payments/schedules/{schedule.pk}/edit/")
    page = page.content.decode()
    heading = re.search(r"<h2>Edit the .*? schedule of (.*?)</h2>", page, re.S).group(1)
    assert heading.startswith('<span class="person">Bobby <code class="slack-id">U_BOB')
    assert chosen(page) == ["Bobby"]
