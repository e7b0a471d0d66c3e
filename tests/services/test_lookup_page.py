"""The "who is on call for…" page (/who/): which service or team a typed name finds, and what
it suggests when a name matches only partly."""

import pytest

from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory
from tests.page_support import client_for, days, field_errors


def test_lookup_suggests_every_partial_match_in_order_up_to_ten_of_each_kind(db):
    for n in range(1, 13):
        TeamFactory(name=f"Payroll {n:02}", slug=f"payroll-{n:02}")
    for name in ("Payment API", "Paywall", "Payouts"):
        ServiceFactory(name=name, team=None)
    response = client_for("staff").get("/who/", {"q": "pay"})
    matches = response.context["matches"]
    assert response.context["result"] is None
    assert "q" not in field_errors(response)  # names to pick from, not an error
    assert len(matches) == 13  # the three services, and ten of the twelve teams
    assert {"Payment API", "Paywall", "Payouts"} <= set(matches)
    assert matches == sorted(matches)  # services and teams together, in order


@pytest.mark.parametrize("typed", ["Payments", "payments", "pay"])
def test_lookup_finds_the_team_named_or_slugged_exactly_before_teams_holding_the_name(db, typed):
    TeamFactory(name="Payments", slug="pay", oncall_engineer="U_ALICE")
    TeamFactory(name="Payments Ops", slug="payments-ops", oncall_engineer="U_BOB")
    result = client_for("staff").get("/who/", {"q": typed}).context["result"]
    assert (result.subject, result.name, result.target) == ("team", "Payments", "U_ALICE")


def test_lookup_shows_a_slack_group_in_the_chain_as_a_group_not_a_person(db):
    ServiceFactory(name="Ledger", team=None, team_slack_group="S_LEDGER")
    response = client_for("staff").get("/who/", {"q": "Ledger"})
    (group,) = [s for s in response.context["result"].steps if s.value == "S_LEDGER"]
    assert (group.state, group.is_person) == ("answered", False)
    page = response.content.decode()
    assert '<p class="who">Slack group <code>S_LEDGER</code></p>' in page
    assert "Slack group: <code>S_LEDGER</code>" in page
    assert '<span class="visually-hidden">(answered)</span>' in page


def test_lookup_of_a_service_nobody_answers_for_says_there_is_nobody_to_tag(db):
    ServiceFactory(name="Ledger", team=None)
    response = client_for("staff").get("/who/", {"q": "Ledger"})
    assert response.context["result"].mention is None
    assert "Nobody to tag: every fallback below is empty." in response.content.decode()


def test_lookup_of_a_service_names_and_links_its_team(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    ServiceFactory(name="Payment API", team=team)
    page = client_for("staff").get("/who/", {"q": "Payment API"}).content.decode()
    assert '(team <a href="/teams/payments/">Payments</a>)' in page
    assert "Nobody to tag" not in page


def test_lookup_suggestions_keep_the_instant_asked(db):
    TeamFactory(name="Payments", slug="payments")
    TeamFactory(name="Payroll", slug="payroll")
    at = days(3).isoformat() + "T10:00"
    page = client_for("staff").get("/who/", {"q": "pay", "at": at}).content.decode()
    encoded = at.replace(":", "%3A")
    assert f'href="?q=Payments&amp;at={encoded}"' in page
    assert f'href="?q=Payroll&amp;at={encoded}"' in page


def test_lookup_offers_the_active_names_to_pick_from(db):
    TeamFactory(name="Payments", slug="payments")
    ServiceFactory(name="Ledger", team=None)
    page = client_for("staff").get("/who/").content.decode()
    assert '<option value="Ledger"><option value="Payments">' in page


def test_lookup_of_a_team_names_who_is_next_after_the_run(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Nguyen")
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=days(-1), end_date=days(3))
    page = client_for("staff").get("/who/", {"q": "Payments"}).content.decode()
    assert 'Next: <span class="person">Alice Nguyen' in page


def test_lookup_opened_without_a_name_asks_nothing_and_shows_no_error(db):
    response = client_for("staff").get("/who/")
    assert response.status_code == 200
    assert response.context["result"] is None
    assert field_errors(response) == {}
