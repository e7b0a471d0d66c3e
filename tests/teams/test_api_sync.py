"""POST /teams/{team}/members/sync/: the team's members from its Slack user group."""

import pytest

from audit.models import AuditLog
from teams.models import Person, TeamMembership
from tests.api_support import assert_error, client_for, nothing_changes
from tests.factories import MembershipFactory, TeamFactory

URL = "/api/v1/teams/payments/members/sync/"


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments", slack_group_id="S_PAY")


def test_staff_sync_answers_who_joined_returned_and_left(team, fake_slack):
    MembershipFactory(team=team, slack_user_id="U_ALICE", in_slack_group=False)
    MembershipFactory(team=team, slack_user_id="U_GONE", in_slack_group=True)
    fake_slack.usergroups["S_PAY"] = ["U_ALICE", "U_NINA"]

    response = client_for("staff").post(URL)

    assert response.status_code == 200, response.content
    assert response.json() == {"added": ["U_NINA"], "returned": ["U_ALICE"], "gone": ["U_GONE"]}
    states = dict(TeamMembership.objects.values_list("slack_user_id", "in_slack_group"))
    assert states == {"U_ALICE": True, "U_GONE": False, "U_NINA": True}
    row = AuditLog.objects.get(action="synced_from_slack")
    assert row.metadata["source"] == "api"


def test_a_lead_of_the_team_may_sync_by_team_id(team, fake_slack):
    client = client_for("lead", team)
    fake_slack.usergroups["S_PAY"] = ["U_LEAD"]
    response = client.post(f"/api/v1/teams/{team.pk}/members/sync/")
    assert response.status_code == 200, response.content
    assert response.json() == {"added": [], "returned": ["U_LEAD"], "gone": []}


@pytest.mark.parametrize("role", ["member", "token"])
def test_others_are_refused_and_slack_is_not_asked(team, fake_slack, role):
    client = client_for(role, team)
    fake_slack.usergroups["S_PAY"] = ["U_NINA"]
    with nothing_changes():
        assert_error(client.post(URL), 403)
    assert fake_slack.calls == []


def test_anonymous_is_refused(team):
    assert_error(client_for("anonymous").post(URL), 401)


def test_an_unknown_team_is_404(db):
    assert_error(client_for("staff").post("/api/v1/teams/nowhere/members/sync/"), 404)


def test_a_team_without_a_slack_group_is_400(db, fake_slack):
    TeamFactory(slug="payments")
    body = assert_error(client_for("staff").post(URL), 400)
    assert "no Slack user group" in body["detail"]


def test_without_slack_configured_the_sync_is_400(team, settings):
    settings.SLACK_BOT_TOKEN = ""
    body = assert_error(client_for("staff").post(URL), 400)
    assert "not configured" in body["detail"]


def test_slack_down_is_503_and_changes_nothing(team, fake_slack):
    client = client_for("staff")
    fake_slack.begin_outage()
    with nothing_changes():
        body = assert_error(client.post(URL), 503)
    assert "Slack did not answer" in body["detail"]


def test_slack_refusing_is_400_and_changes_nothing(team, fake_slack):
    client = client_for("staff")
    fake_slack.script(200, {"ok": False, "error": "no_such_subteam"})
    with nothing_changes():
        body = assert_error(client.post(URL), 400)
    assert "no_such_subteam" in body["detail"]


def test_get_is_not_allowed(team):
    assert_error(client_for("staff").get(URL), 405)


def test_a_sync_that_learns_nothing_new_about_a_person_audits_nothing_about_them(team, fake_slack):
    Person.objects.create(slack_user_id="U_QUIET")
    fake_slack.usergroups["S_PAY"] = ["U_QUIET"]
    fake_slack.add_user("U_QUIET", "")
    assert client_for("staff").post(URL).status_code == 200
    assert not AuditLog.objects.filter(entity_type="person").exists()


def test_slack_refusing_one_member_still_names_the_others(team, fake_slack):
    fake_slack.only_listed_users = True
    fake_slack.usergroups["S_PAY"] = ["U_GHOST", "U_NEWT"]
    fake_slack.add_user("U_NEWT", "newt", real_name="Newt Scam")
    client_for("staff").post(URL)
    assert Person.objects.get(slack_user_id="U_NEWT").display_name == "newt"


def test_a_sync_adds_nobody_slack_has_deactivated_to_the_directory(team, fake_slack):
    fake_slack.usergroups["S_PAY"] = ["U_LEFT_CO"]
    fake_slack.add_user("U_LEFT_CO", "gone", deleted=True)
    client_for("staff").post(URL)
    assert not Person.objects.filter(slack_user_id="U_LEFT_CO").exists()
