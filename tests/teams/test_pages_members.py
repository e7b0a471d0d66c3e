"""A team's members tab: adding members, the inline htmx edit, removing, time away and the
Slack sync. Every write through its action; refusals are 403; bad input changes nothing."""

import datetime

import pytest

from teams.models import Team, TeamMembership, Unavailability
from tests.factories import MembershipFactory, TeamFactory
from tests.page_support import (
    client_for,
    days,
    duplicate_ids,
    field_errors,
    html_ids,
    make_user,
    messages_of,
    nothing_changes,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team(db):
    return TeamFactory(
        name="Payments", slug="payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY"
    )


# --- members -----------------------------------------------------------------------------


def test_a_lead_adds_a_member_with_a_weight(team):
    response = client_for("lead", team).post(
        "/teams/payments/members/",
        {"slack_user_id": "U_NEW", "display_name": "New", "team_role": "member", "weight": "2.5"},
    )
    assert response.status_code == 302
    assert TeamMembership.objects.get(team=team, slack_user_id="U_NEW").weight == 2.5


def test_the_add_form_asks_whether_the_new_member_takes_on_call(team):
    client = client_for("lead", team)
    page = client.get("/teams/payments/members/").content.decode()
    assert 'type="checkbox" name="is_eligible_for_oncall" id="add_is_eligible_for_oncall"' in page
    assert 'id="add_is_eligible_for_oncall" checked' in page  # eligible unless unticked
    client.post(
        "/teams/payments/members/",
        {"slack_user_id": "U_LEAVER", "team_role": "member", "weight": "1"},
    )
    client.post(
        "/teams/payments/members/",
        {
            "slack_user_id": "U_NEW",
            "team_role": "member",
            "weight": "1",
            "is_eligible_for_oncall": "on",
        },
    )
    members = TeamMembership.objects.filter(team=team)
    eligible = dict(members.values_list("slack_user_id", "is_eligible_for_oncall"))
    assert (eligible["U_NEW"], eligible["U_LEAVER"]) == (True, False)


def test_the_add_form_opens_for_a_plain_member_with_one_share_of_shifts(team):
    form = client_for("lead", team).get("/teams/payments/members/").context["add_form"]
    values = {name: form[name].value() for name in ("team_role", "weight")}
    assert values == {"team_role": "member", "weight": 1.0}


def test_members_page_ids_are_unique_and_every_label_finds_its_input(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client = client_for("lead", team)
    page = client.get("/teams/payments/members/").content.decode()
    ids, labels = html_ids(page)
    assert duplicate_ids(page) == []
    assert set(labels) <= set(ids)
    assert '<label for="away_slack_user_id">Who is away</label>' in page  # no colon to read out
    assert '<label for="add_slack_user_id">Person</label>' in page
    # The inline edit swaps a form in for Bob's row: its ids must not clash with the page's.
    fragment = client.get("/teams/payments/members/U_BOB/edit/", **HTMX).content.decode()
    fragment_ids, fragment_labels = html_ids(fragment)
    assert set(fragment_ids) & set(ids) == {"member-U_BOB"}
    assert set(fragment_labels) <= set(fragment_ids)
    # Two rows in edit at once: each form's labels find their own inputs.
    MembershipFactory(team=team, slack_user_id="U_CAROL")
    other = client.get("/teams/payments/members/U_CAROL/edit/", **HTMX).content.decode()
    assert not set(html_ids(other)[0]) & set(fragment_ids)


def test_time_away_shown_again_with_its_errors_keeps_its_ids_apart(team):
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post("/teams/payments/away/", {"slack_user_id": "U_LEAD"})
    assert "start_date" in field_errors(response, "away_form")
    page = response.content.decode()
    assert duplicate_ids(page) == []
    assert 'id="away_start_date"' in page


@pytest.mark.parametrize(
    ("weight", "slack_id", "field"),
    [("abc", "U_NEW", "weight"), ("0", "U_NEW", "weight"), ("1", "nobody", "slack_user_id")],
)
def test_adding_a_member_with_bad_input_shows_the_field_error(team, weight, slack_id, field):
    client = client_for("lead", team)
    data = {"slack_user_id": slack_id, "team_role": "member", "weight": weight}
    with nothing_changes():
        response = client.post("/teams/payments/members/", data)
    assert field in field_errors(response, "add_form")


def test_a_member_may_not_add_members(team):
    client = client_for("member", team)
    with nothing_changes():
        response = client.post(
            "/teams/payments/members/",
            {"slack_user_id": "U_NEW", "team_role": "member", "weight": 1},
        )
    assert response.status_code == 403


def test_inline_member_edit_swaps_a_form_then_the_saved_row(team):
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob")
    client = client_for("lead", team)
    form = client.get("/teams/payments/members/U_BOB/edit/", **HTMX)
    assert form.templates[0].name == "teams/_member_form.html"
    saved = client.post(
        "/teams/payments/members/U_BOB/edit/",
        {"display_name": "Bob M", "team_role": "lead", "weight": "3"},
        **HTMX,
    )
    assert saved.templates[0].name == "teams/_member_row.html"
    bob = TeamMembership.objects.get(team=team, slack_user_id="U_BOB")
    assert (bob.team_role, bob.weight, bob.is_eligible_for_oncall) == ("lead", 3.0, False)
    cancel = client.get("/teams/payments/members/U_BOB/edit/?cancel=1", **HTMX)
    assert cancel.templates[0].name == "teams/_member_row.html"


def test_the_inline_edit_opens_with_the_members_values_and_saves_to_a_row_that_offers_it_again(
    team,
):
    """A box left as it opened must not change the member: unticked "eligible" means no."""
    MembershipFactory(team=team, slack_user_id="U_BOB", display_name="Bob", weight=3)
    client = client_for("lead", team)
    form = client.get("/teams/payments/members/U_BOB/edit/", **HTMX).context["form"]
    values = {name: form[name].value() for name in ("display_name", "team_role", "weight")}
    assert values == {"display_name": "Bob", "team_role": "member", "weight": 3.0}
    assert form["is_eligible_for_oncall"].value() is True
    saved = client.post(
        "/teams/payments/members/U_BOB/edit/",
        {"display_name": "Bob M", "team_role": "member", "weight": "3"},
        **HTMX,
    ).content.decode()
    assert "<strong>Bob M</strong>" in saved
    assert 'href="/teams/payments/members/U_BOB/edit/"' in saved


def test_inline_member_edit_with_a_bad_weight_shows_the_error_in_place(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post(
            "/teams/payments/members/U_BOB/edit/", {"team_role": "member", "weight": "-1"}, **HTMX
        )
    assert response.templates[0].name == "teams/_member_form.html"
    assert "weight" in response.context["form"].errors


def test_member_edit_without_htmx_is_a_whole_page(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client = client_for("lead", team)
    assert client.get("/teams/payments/members/U_BOB/edit/").templates[0].name == (
        "teams/member_edit.html"
    )
    response = client.post(
        "/teams/payments/members/U_BOB/edit/", {"team_role": "member", "weight": "2"}
    )
    assert response["Location"] == "/teams/payments/members/"


def test_a_member_may_not_edit_or_remove_members(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client = client_for("member", team)
    with nothing_changes():
        edit = client.post(
            "/teams/payments/members/U_BOB/edit/", {"team_role": "lead", "weight": "1"}, **HTMX
        )
        remove = client.post("/teams/payments/members/U_BOB/remove/")
    assert (edit.status_code, remove.status_code) == (403, 403)


def test_a_member_id_with_a_nul_byte_is_a_404(team):
    # PostgreSQL refuses a NUL byte in a query: a 500 there, were it looked up.
    client = client_for("lead", team)
    with nothing_changes():
        assert client.get("/teams/payments/members/U%00/edit/").status_code == 404
        assert client.post("/teams/payments/members/U%00/remove/").status_code == 404


def test_a_lead_removes_a_member(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client_for("lead", team).post("/teams/payments/members/U_BOB/remove/")
    assert not TeamMembership.objects.filter(slack_user_id="U_BOB").exists()


def test_removing_a_member_twice_says_by_name_that_they_are_gone(team):
    """A double click on Remove: the second finds nobody, and its 404 page names them."""
    MembershipFactory(team=team, slack_user_id="U_BOB")
    client = client_for("lead", team)
    client.post("/teams/payments/members/U_BOB/remove/")
    again = client.post("/teams/payments/members/U_BOB/remove/")
    assert again.status_code == 404
    assert "Bob Stone (U_BOB) is not a member of Payments." in again.content.decode()


@pytest.mark.parametrize("size", [2, 40])
def test_members_page_takes_the_same_queries_whatever_the_team_size(
    team, size, django_assert_max_num_queries
):
    for _ in range(size):
        member = MembershipFactory(team=team)
        Unavailability.objects.create(
            team=team, slack_user_id=member.slack_user_id, start_date=days(1), end_date=days(2)
        )
    client = client_for("lead", team)
    with django_assert_max_num_queries(7):
        assert client.get("/teams/payments/members/").status_code == 200


# --- time away and the Slack sync ------------------------------------------------------------


def test_a_member_adds_their_own_time_away_but_not_someone_elses(team):
    client = client_for("member", team)
    mine = {"slack_user_id": "U_MEMBER", "start_date": days(3), "end_date": days(5)}
    assert client.post("/teams/payments/away/", mine).status_code == 302
    away = Unavailability.objects.get()
    assert (away.slack_user_id, away.team_id) == ("U_MEMBER", team.pk)  # from this team only
    with nothing_changes():
        response = client.post("/teams/payments/away/", {**mine, "slack_user_id": "U_BOB"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["member", "lead"])
def test_the_members_tab_offers_a_member_only_the_removal_of_their_own_time_away(team, role):
    """Sync, adding and editing members are for leads and staff; a member removes their own
    time away only: no button that would end in a 403."""
    MembershipFactory(team=team, slack_user_id="U_BOB")
    mine, theirs = (
        Unavailability.objects.create(
            team=team, slack_user_id=who, start_date=days(1), end_date=days(2)
        )
        for who in ("U_MEMBER", "U_BOB")
    )
    page = client_for(role, team).get("/teams/payments/members/").content.decode()
    lead = role == "lead"
    assert ('action="/teams/payments/sync/"' in page) is lead
    assert ('action="/teams/payments/members/"' in page) is lead
    assert ('href="/teams/payments/members/U_BOB/edit/"' in page) is lead
    assert f'action="/teams/payments/away/{mine.pk}/delete/"' in page
    assert (f'action="/teams/payments/away/{theirs.pk}/delete/"' in page) is lead


def test_the_members_tab_lists_time_away_by_name_until_the_teams_on_call_day_ends(
    team, december_2026
):
    # At 12:00 UTC on 1 December, the on-call day of a team handing off at 18:00 is 30 November.
    Team.objects.filter(pk=team.pk).update(handoff_time=datetime.time(18))
    for who, last_day in (("U_CAROL", 30), ("U_DAVE", 29)):
        Unavailability.objects.create(
            team=team,
            slack_user_id=who,
            start_date=datetime.date(2026, 11, 27),
            end_date=datetime.date(2026, 11, last_day),
        )
    page = client_for("member", team).get("/teams/payments/members/").content.decode()
    assert "Carol Diaz" in page  # away until that day ends
    assert "Dave Kim" not in page and "U_DAVE" not in page  # back since it began


def test_the_members_tab_shows_this_teams_and_every_team_time_away_of_its_members_only(team):
    search = TeamFactory(name="Search", slug="search")
    MembershipFactory(team=team, slack_user_id="U_BOB")
    MembershipFactory(team=search, slack_user_id="U_CAROL")
    dates = {"start_date": days(1), "end_date": days(2)}
    everywhere = Unavailability.objects.create(team=None, slack_user_id="U_BOB", **dates)
    Unavailability.objects.create(team=search, slack_user_id="U_BOB", reason="Search", **dates)
    Unavailability.objects.create(team=None, slack_user_id="U_CAROL", **dates)
    response = client_for("member", team).get("/teams/payments/members/")
    assert response.context["away"] == [everywhere]


def test_the_members_tab_lists_members_in_the_order_they_joined(team):
    MembershipFactory(team=team, slack_user_id="U_BOB", joined_at=datetime.date(2026, 3, 1))
    MembershipFactory(team=team, slack_user_id="U_CAROL", joined_at=datetime.date(2026, 1, 1))
    response = client_for("staff").get("/teams/payments/members/")
    order = [m.slack_user_id for m in response.context["members"]]
    assert order == ["U_CAROL", "U_BOB"]


def test_time_away_from_someone_without_a_slack_identity_is_refused_in_words(client, team):
    client.force_login(make_user())
    data = {"slack_user_id": "U_BOB", "start_date": days(3), "end_date": days(5)}
    with nothing_changes():
        response = client.post("/teams/payments/away/", data)
    assert response.status_code == 403
    assert (
        "Link your Slack identity (your profile) to record time away." in response.content.decode()
    )


def test_time_away_ending_before_it_starts_shows_the_error(team):
    client = client_for("lead", team)
    data = {"slack_user_id": "U_LEAD", "start_date": days(5), "end_date": days(3)}
    with nothing_changes():
        response = client.post("/teams/payments/away/", data)
    assert "end_date" in field_errors(response, "away_form")


def test_time_away_is_removed(team):
    away = Unavailability.objects.create(
        team=team, slack_user_id="U_LEAD", start_date=days(1), end_date=days(2)
    )
    client_for("lead", team).post(f"/teams/payments/away/{away.pk}/delete/")
    assert not Unavailability.objects.exists()


def test_a_member_removes_their_own_time_away_but_not_someone_elses(team):
    """Removing time away gives the person their turns back: a member may for themselves only."""
    theirs = Unavailability.objects.create(
        team=team, slack_user_id="U_BOB", start_date=days(1), end_date=days(2)
    )
    mine = Unavailability.objects.create(
        team=team, slack_user_id="U_MEMBER", start_date=days(1), end_date=days(2)
    )
    client = client_for("member", team)
    with nothing_changes():
        response = client.post(f"/teams/payments/away/{theirs.pk}/delete/")
    assert response.status_code == 403
    assert "Only staff or a lead of Payments may do this." in response.content.decode()
    assert client.post(f"/teams/payments/away/{mine.pk}/delete/").status_code == 302
    assert list(Unavailability.objects.values_list("slack_user_id", flat=True)) == ["U_BOB"]


def test_sync_without_slack_shows_why_and_changes_nothing(team, settings):
    settings.SLACK_BOT_TOKEN = ""
    client = client_for("lead", team)
    with nothing_changes():
        response = client.post("/teams/payments/sync/", follow=True)
    assert any("Slack is not configured" in m for m in messages_of(response))


def test_sync_from_slack_adds_the_group_members(team, fake_slack):
    fake_slack.usergroups["S_PAY"] = ["U_LEAD", "U_NEW"]
    response = client_for("lead", team).post("/teams/payments/sync/", follow=True)
    assert TeamMembership.objects.filter(team=team, slack_user_id="U_NEW").exists()
    assert any("Synced from Slack" in m for m in messages_of(response))


def test_a_member_may_not_sync_from_slack(team, fake_slack):
    fake_slack.usergroups["S_PAY"] = ["U_NEW"]
    client = client_for("member", team)
    with nothing_changes():
        assert client.post("/teams/payments/sync/").status_code == 403
