"""A team whose time zone the server's tz database no longer holds (US/Pacific-New went in
tzdata 2020b; a team saved with it before a tzdata update holds it still): the bot's lookups
answer for every other service, and for that team's services fall back to the team's default
engineer and the services' own fallbacks, saying why (`team_error`). A page must reach someone.
The team's own answer stays the engine's 409."""

import datetime
import logging

import pytest
from django.test import override_settings

from services.api import hot
from teams.models import BackupLine
from tests.api_support import assert_error, token_client
from tests.factories import ServiceFactory, TeamFactory

ERROR = "Unknown time zone 'US/Pacific-New'."


pytestmark = pytest.mark.usefixtures("no_kept_answers")


@pytest.fixture
def odd(db):
    """Payments answers (U_ALICE by default); Odd's zone is gone, its default U_ODD; Odd runs a
    backup line, which cannot answer either."""
    payments = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    ServiceFactory(name="Checkout", team=payments)
    team = TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ODD")
    BackupLine.objects.create(
        team=team,
        rotation_enabled=True,
        rotation_interval="daily",
        rotation_start_date=datetime.date(2026, 11, 30),
    )
    ServiceFactory(name="Ledger", team=team, primary_oncall="U_FALLBACK")
    return team


@pytest.mark.parametrize("hot_path", [True, False])
def test_a_service_of_a_team_that_cannot_answer_falls_back_and_says_why(odd, hot_path, caplog):
    caplog.set_level(logging.WARNING, logger="services.api.hot")
    with override_settings(API_HOT_PATH=hot_path):
        response = token_client().get("/api/v1/oncall/?service=Ledger")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["target"], body["source"], body["team_error"]) == (
        "U_ODD",
        "team_default",
        ERROR,
    )
    assert [link["target"] for link in body["fallback_chain"]] == ["U_ODD", "U_FALLBACK"]
    assert body["from"] is None and body["until"] is None and body["on_call_date"] is None
    assert "backup" not in body  # the backup line cannot answer either
    assert not hot._kept  # no on-call day to keep it by
    assert not caplog.records  # answered where asked, not handed on after an error


def test_the_other_services_answer_as_ever_without_an_error(odd):
    body = token_client().get("/api/v1/oncall/?service=Checkout").json()
    assert body["target"] == "U_ALICE" and "team_error" not in body


@pytest.mark.parametrize("hot_path", [True, False])
def test_mentions_tag_every_service_and_name_the_team_that_could_not_answer(odd, hot_path):
    with override_settings(API_HOT_PATH=hot_path):
        response = token_client().get("/api/v1/oncall/mentions/?services=Checkout,Ledger")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mentions"] == ["<@U_ALICE>", "<@U_ODD>"]
    checkout, ledger = body["services"]
    assert "team_error" not in checkout
    assert (ledger["mention"], ledger["team_error"]) == ("<@U_ODD>", ERROR)
    assert not hot._kept


def test_the_backup_line_of_a_team_that_cannot_answer_is_nobody_with_the_reason(odd):
    body = token_client().get("/api/v1/oncall/?service=Ledger&role=backup").json()
    assert (body["target"], body["source"], body["team_error"]) == (None, "none", ERROR)


@pytest.mark.parametrize("hot_path", [True, False])
def test_the_bots_lookup_tool_says_the_group_on_call_could_not_be_worked_out(odd, hot_path):
    bot = token_client()
    with override_settings(API_HOT_PATH=hot_path):
        text = bot.get("/api/v1/services/lookup/?name=Ledger&format=text")
        data = bot.get("/api/v1/services/lookup/?name=Ledger").json()
    assert text.status_code == 200
    lines = text.content.decode().splitlines()
    assert "Group on-call: N/A" in lines
    assert f"Group on-call error: {ERROR}" in lines
    assert not any(line.startswith("Backup on-call") for line in lines)
    assert (data["group_oncall"], data["team_error"]) == (None, ERROR)
    assert "backup_oncall" not in data


def test_the_services_list_and_a_services_own_answer_do_not_fail_for_that_team(odd):
    bot = token_client()
    listed = bot.get("/api/v1/services/")
    assert listed.status_code == 200
    teams = {s["name"]: s["team"] for s in listed.json()["results"]}
    assert teams["Ledger"]["oncall"] is None
    assert teams["Checkout"]["oncall"]["engineer_slack_id"] == "U_ALICE"
    ledger = next(s for s in listed.json()["results"] if s["name"] == "Ledger")
    own = bot.get(f"/api/v1/services/{ledger['id']}/oncall/").json()
    assert (own["target"], own["team_error"]) == ("U_ODD", ERROR)


@pytest.mark.parametrize("path", ["/api/v1/oncall/?team=odd", "/api/v1/teams/odd/oncall/"])
def test_the_teams_own_answer_is_still_the_engines_409(odd, path):
    body = assert_error(token_client().get(path), 409)
    assert "US/Pacific-New" in body["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/oncall/?service=Ledger", "/api/v1/oncall/mentions/?services=Ledger"]
)
def test_the_hot_path_answers_it_but_never_keeps_it(odd, path, caplog):
    """Kept answers are keyed by each team's on-call day, which this team has none of."""
    BackupLine.objects.filter(team=odd).delete()  # a backup line alone is never kept
    caplog.set_level(logging.WARNING, logger="services.api.hot")
    bot = token_client()
    with override_settings(API_HOT_PATH=True):
        first, again = bot.get(path), bot.get(path)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and ERROR in first.content.decode()
    assert not hot._kept
    assert not caplog.records
