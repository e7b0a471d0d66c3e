"""The bot's lookups: /oncall/, /oncall/mentions/, /services/lookup/, /services/{id}/oncall/,
and the on-call embedded in /services/."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import Person
from tests.api_support import ROLES, assert_error, client_for, make_user, session_client
from tests.factories import ScheduleFactory, ServiceFactory, TeamFactory

D = datetime.date
# A token is one query: the token with its user (oncall_project.base.api.auth skips knox's sweep).
TOKEN_AUTH = 1
TUESDAY_NOON = "2026-12-08T12:00:00Z"


@pytest.fixture
def org(db):
    """The original plan's data: Payments (on call U_ALICE) owns Payment and Bill."""
    payments = TeamFactory(
        name="Payments", slug="payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY"
    )
    auth = TeamFactory(name="Auth & Identity", slug="auth", oncall_engineer="U_DAVE")
    quiet = TeamFactory(name="Quiet", slug="quiet", slack_group_id="S_QUIET")
    ServiceFactory(
        name="Payment",
        team=payments,
        service_owner="U_BOB",
        repository_url="https://github.com/example/payment",
        tech_stack="Go, PostgreSQL",
    )
    ServiceFactory(name="Bill", team=payments, service_owner="U_CAROL")
    ServiceFactory(name="Auth", team=auth, service_owner="U_EVE")
    ServiceFactory(name="Orphan", team=None, primary_oncall="U_FRANK", team_slack_group="S_ORPH")
    ServiceFactory(name="Hush", team=quiet)
    ServiceFactory(name="Retired", team=payments, is_active=False)
    return payments


@pytest.fixture
def bot(db):
    return client_for("token")


def oncall(client, **query):
    return client.get("/api/v1/oncall/", query)


# --- GET /oncall/ --------------------------------------------------------------------------


def test_a_service_answers_with_its_teams_oncall(bot, org):
    body = oncall(bot, service="payment").json()
    assert body["service"] == "Payment"
    assert body["team"] == {"id": str(org.pk), "name": "Payments", "slug": "payments"}
    assert (body["engineer_slack_id"], body["kind"], body["mention"], body["source"]) == (
        "U_ALICE",
        "user",
        "<@U_ALICE>",
        "team_default",
    )
    # the team's default, with nothing else planned: until further notice, not a made-up date
    assert body["on_call_date"] and (body["from"], body["until"]) == (None, None)
    assert (body["from_date"], body["until_date"]) == (None, None)
    assert [(link["source"], link["target"]) for link in body["fallback_chain"]] == [
        ("team_default", "U_ALICE"),
        ("service_owner", "U_BOB"),
        ("slack_group", "S_PAY"),
    ]


@pytest.mark.parametrize("asked", [{"service": "Bill"}, {"team": "payments"}])
def test_a_teams_schedule_answers_with_the_period(bot, org, asked):
    """For its service and for the team itself."""
    ScheduleFactory(
        team=org, engineer_slack_id="U_GRACE", start_date=D(2026, 12, 7), end_date=D(2026, 12, 13)
    )
    body = oncall(bot, **asked, at=TUESDAY_NOON).json()
    assert (body["engineer_slack_id"], body["source"]) == ("U_GRACE", "schedule")
    assert (body["from"], body["until"]) == ("2026-12-07T09:00:00Z", "2026-12-14T09:00:00Z")
    assert (body["on_call_date"], body["from_date"], body["until_date"]) == (
        "2026-12-08",
        "2026-12-07",
        "2026-12-13",
    )
    # the chain goes on past the schedule to the team's default, then the service's people
    chain = [(link["source"], link["target"]) for link in body["fallback_chain"]]
    assert chain[:2] == [("schedule", "U_GRACE"), ("team_default", "U_ALICE")]


def test_a_service_without_a_team_falls_back_to_its_own_people(bot, org):
    body = oncall(bot, service="ORPHAN").json()
    assert (body["team"], body["engineer_slack_id"], body["source"]) == (
        None,
        "U_FRANK",
        "primary_oncall",
    )
    assert (body["from"], body["until"], body["on_call_date"]) == (None, None, None)
    assert [link["target"] for link in body["fallback_chain"]] == ["U_FRANK", "S_ORPH"]


def test_a_service_whose_team_has_nobody_tags_the_group(bot, org):
    body = oncall(bot, service="Hush").json()
    assert (body["engineer_slack_id"], body["target"], body["kind"], body["source"]) == (
        None,
        "S_QUIET",
        "group",
        "slack_group",
    )
    assert body["mention"] == "<!subteam^S_QUIET>"


def test_a_service_with_nobody_to_tag_says_until_when(bot, db):
    """A coverage gap and no fallback: nobody, for the service asked, until the next schedule."""
    empty = TeamFactory(name="Empty", slug="empty", oncall_engineer="", slack_group_id="")
    ScheduleFactory(
        team=empty,
        engineer_slack_id="U_GRACE",
        start_date=D(2026, 12, 10),
        end_date=D(2026, 12, 13),
    )
    ServiceFactory(name="Void", team=empty, service_owner="", team_slack_group="")
    body = oncall(bot, service="void", at=TUESDAY_NOON).json()
    assert (body["service"], body["team"]["slug"], body["source"]) == ("Void", "empty", "none")
    assert (body["engineer_slack_id"], body["target"], body["mention"]) == (None, None, None)
    assert (body["on_call_date"], body["until"], body["until_date"]) == (
        "2026-12-08",
        "2026-12-10T09:00:00Z",
        "2026-12-09",
    )
    assert body["fallback_chain"] == []


@pytest.mark.parametrize("ref", ["payments", "PAYMENTS", "Payments"])
def test_a_team_is_asked_by_slug_or_name(bot, org, ref):
    body = oncall(bot, team=ref).json()
    assert (body["service"], body["team"]["slug"], body["engineer_slack_id"]) == (
        None,
        "payments",
        "U_ALICE",
    )
    assert (body["target"], body["kind"], body["source"]) == ("U_ALICE", "user", "team_default")


def test_a_team_is_asked_by_id(bot, org):
    assert oncall(bot, team=str(org.pk)).json()["team"]["slug"] == "payments"


def test_a_slug_beats_another_teams_name(bot, org):
    TeamFactory(name="payments-old", slug="legacy")
    TeamFactory(name="auth", slug="auth-2")
    assert oncall(bot, team="auth").json()["team"]["slug"] == "auth"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({}, 400, "non_field_errors"),
        ({"service": "Payment", "team": "payments"}, 400, "non_field_errors"),
        ({"service": ""}, 400, "service"),
        ({"service": "Payment", "at": "tomorrow"}, 400, "at"),
        ({"service": "Ledger"}, 404, "service"),
        ({"service": "Retired"}, 404, "service"),
        ({"team": "nobody"}, 404, "team"),
    ],
)
def test_oncall_refuses_bad_or_unknown_names(bot, org, query, status, field):
    body = assert_error(oncall(bot, **query), status, field)
    for name in ("Ledger", "nobody"):
        if name in query.values():
            assert name in body["detail"]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/oncall/", {"service": ["Payment", "Bill"]}, "service"),
        ("/api/v1/oncall/", {"team": ["payments", "auth"]}, "team"),
        ("/api/v1/oncall/", {"service": "Payment", "at": ["2026-12-07T10:00Z"] * 2}, "at"),
        ("/api/v1/oncall/mentions/", {"services": ["Payment", "Bill"]}, "services"),
        ("/api/v1/services/lookup/", {"name": ["Payment", "Bill"]}, "name"),
    ],
)
def test_a_parameter_given_twice_is_a_400_naming_it_not_an_answer_for_the_last(
    bot, org, path, query, field
):
    body = assert_error(bot.get(path, query), 400, field)
    assert body["errors"] == {field: ["Given 2 times: give it once."]}


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2026-12-07", "An instant needs a time, e.g. 2026-12-07T10:30:00Z"),
        ("20261207", "An instant needs a time, e.g. 2026-12-07T10:30:00Z"),
        ("2026-13-45", "Datetime has wrong format."),  # no date at all: not "needs a time"
    ],
)
def test_an_instant_without_a_time_or_not_a_date_is_a_400_saying_which(bot, org, at, message):
    body = assert_error(oncall(bot, service="Payment", at=at), 400, "at")
    assert body["errors"]["at"][0].startswith(message)


@pytest.mark.parametrize("role", ROLES)
def test_lookups_need_authentication_only(org, role):
    client = client_for(role, org)
    expected = 401 if role == "anonymous" else 200
    assert oncall(client, service="Payment").status_code == expected
    assert client.get("/api/v1/oncall/mentions/?services=Payment").status_code == expected
    assert client.get("/api/v1/services/lookup/?name=Payment").status_code == expected


@pytest.mark.parametrize("size", [2, 20])
def test_oncall_takes_three_queries_besides_authentication(db, size, django_assert_max_num_queries):
    team = TeamFactory(slug="busy", oncall_engineer="U_DEFAULT")
    ServiceFactory(name="Busy", team=team)
    for n in range(size):
        start = D(2026, 6, 1) + datetime.timedelta(weeks=n)
        ScheduleFactory(
            team=team,
            engineer_slack_id=f"U{n}",
            start_date=start,
            end_date=start + datetime.timedelta(days=6),
        )
    bot = client_for("token")
    # the service with its team, members, spans; and the name of the on-call, who is not a
    # member (the team names its members with them), from the directory
    with django_assert_max_num_queries(TOKEN_AUTH + 4):
        assert oncall(bot, service="busy").status_code == 200
    # the team, members, spans
    with django_assert_max_num_queries(TOKEN_AUTH + 3):
        assert oncall(bot, team="busy").status_code == 200
    # the same day again: the team's state is kept, only the service (with its version) is read
    with django_assert_max_num_queries(TOKEN_AUTH + 1):
        assert oncall(bot, service="busy").status_code == 200


# --- GET /oncall/mentions/ -----------------------------------------------------------------


def test_the_plans_example_payment_and_bill_tag_alice_once(bot, org):
    body = bot.get("/api/v1/oncall/mentions/?services=Payment,Bill").json()
    assert body["mentions"] == ["<@U_ALICE>"]
    assert [
        (s["service"], s["team"]["name"], s["mention"], s["source"]) for s in body["services"]
    ] == [
        ("Payment", "Payments", "<@U_ALICE>", "team_default"),
        ("Bill", "Payments", "<@U_ALICE>", "team_default"),
    ]
    assert body["unknown"] == []


def test_mentions_keep_order_fall_back_and_list_unknown_names(bot, org):
    body = bot.get(
        "/api/v1/oncall/mentions/?services= auth ,Orphan,Hush,nope,payment,bill,AUTH,,Retired"
    ).json()
    assert body["mentions"] == ["<@U_DAVE>", "<@U_FRANK>", "<!subteam^S_QUIET>", "<@U_ALICE>"]
    assert [s["service"] for s in body["services"]] == ["Auth", "Orphan", "Hush", "Payment", "Bill"]
    assert body["services"][1]["team"] is None
    assert (body["services"][2]["kind"], body["services"][2]["target"]) == ("group", "S_QUIET")
    assert body["unknown"] == ["nope", "Retired"]


def test_mentions_for_a_service_that_tags_nobody(bot, db):
    ServiceFactory(name="Lonely", team=None)
    body = bot.get("/api/v1/oncall/mentions/?services=Lonely").json()
    assert body["mentions"] == []
    assert body["services"][0]["mention"] is None and body["services"][0]["source"] == "none"


def test_mentions_list_an_unknown_name_asked_in_two_cases_once_as_first_asked(bot, org):
    body = bot.get("/api/v1/oncall/mentions/?services=Ledger,payment,LEDGER").json()
    assert body["unknown"] == ["Ledger"]
    assert body["mentions"] == ["<@U_ALICE>"]


def test_mentions_answer_for_the_instant_asked(bot, org):
    """`?at=` is the instant the mentions are for, as for /oncall/: the schedule then, not
    the team's default now."""
    ScheduleFactory(
        team=org, engineer_slack_id="U_GRACE", start_date=D(2026, 3, 9), end_date=D(2026, 3, 15)
    )
    body = bot.get(
        "/api/v1/oncall/mentions/", {"services": "Bill", "at": "2026-03-10T12:00:00Z"}
    ).json()
    assert body["mentions"] == ["<@U_GRACE>"]
    assert body["services"][0]["source"] == "schedule"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "services"),
        ("?services=", "services"),
        ("?services=,%20,", "services"),
        ("?services=" + ",".join(f"s{n}" for n in range(101)), "services"),
        ("?services=Payment&at=noon", "at"),
    ],
)
def test_mentions_refuse_bad_input(bot, org, query, field):
    assert_error(bot.get(f"/api/v1/oncall/mentions/{query}"), 400, field)


def test_mentions_take_a_hundred_names_a_name_asked_again_in_another_case_counting_once(bot, org):
    asked = ["Payment", "PAYMENT", *(f"s{n}" for n in range(99))]
    response = bot.get("/api/v1/oncall/mentions/?services=" + ",".join(asked))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["service"] for s in body["services"]] == ["Payment"]
    assert body["mentions"] == ["<@U_ALICE>"]
    assert body["unknown"] == [f"s{n}" for n in range(99)]


def test_mentions_take_the_same_queries_for_2_or_20_services(db):
    names = []
    for n in range(20):
        team = TeamFactory(oncall_engineer=f"U{n:03d}")
        ScheduleFactory(team=team, engineer_slack_id=f"U{n:03d}X")
        names.append(ServiceFactory(team=team).name)
    bot = client_for("token")
    counts = []
    for some in (names[:2], names):
        with CaptureQueriesContext(connection) as queries:
            body = bot.get("/api/v1/oncall/mentions/?services=" + ",".join(some)).json()
        assert len(body["mentions"]) == len(some)
        counts.append(len(queries))
    # the services with their teams, members, spans
    assert counts[0] == counts[1] <= TOKEN_AUTH + 3


# --- GET /services/lookup/ -----------------------------------------------------------------


def test_lookup_gives_owner_group_and_group_oncall(bot, org):
    body = bot.get("/api/v1/services/lookup/?name=PAYMENT").json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "name": "Payment",
        "repository_url": "https://github.com/example/payment",
        "tech_stack": "Go, PostgreSQL",
        "service_owner": "U_BOB",
        "group": "Payments",
        "group_oncall": "U_ALICE",
        "team_slack_group": "S_PAY",
        "service_owner_name": "Bob Stone",
        "group_oncall_name": "Alice Nguyen",
    }


def test_lookup_as_text_is_the_bots_block(bot, org):
    response = bot.get("/api/v1/services/lookup/?name=payment&format=text")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        "Service: Payment\n"
        "GitHub repo: https://github.com/example/payment\n"
        "Tech stack: Go, PostgreSQL\n"
        "Service owner: Bob Stone (<@U_BOB>)\n"
        "Group: Payments\n"
        "Group on-call: Alice Nguyen (<@U_ALICE>)\n"
        "Team Slack group: S_PAY"
    )


def test_lookup_of_a_service_without_team_says_ungrouped_and_na(bot, org):
    text = bot.get("/api/v1/services/lookup/?name=orphan&format=text").content.decode()
    assert text.splitlines() == [
        "Service: Orphan",
        "GitHub repo: N/A",
        "Tech stack: N/A",
        "Service owner: Frank Osei (<@U_FRANK>)",
        "Group: Ungrouped",
        "Group on-call: N/A",
        "Team Slack group: S_ORPH",
    ]


def test_lookup_prefers_the_owner_to_the_primary_and_the_teams_group_to_the_services(bot, org):
    ServiceFactory(
        name="Ledger",
        team=org,
        service_owner="U_BOB",
        primary_oncall="U_CAROL",
        team_slack_group="S_LEDGER",
    )
    body = bot.get("/api/v1/services/lookup/?name=ledger").json()
    assert (body["service_owner"], body["service_owner_name"]) == ("U_BOB", "Bob Stone")
    assert body["team_slack_group"] == "S_PAY"


def test_lookup_in_a_teams_gap_gives_no_group_oncall_not_the_fallback(bot, org):
    """Hushed has nobody on call: the service's answer falls back to its owner, but the
    group's on-call is nobody."""
    quiet = TeamFactory(name="Hushed", slug="hushed")
    ServiceFactory(name="Mute", team=quiet, service_owner="U_EVE")
    body = bot.get("/api/v1/services/lookup/?name=mute").json()
    assert (body["group"], body["group_oncall"], body["group_oncall_name"]) == (
        "Hushed",
        None,
        None,
    )
    assert body["service_owner"] == "U_EVE"


def test_lookup_as_text_names_a_person_the_directory_has_no_name_for_by_mention(bot, org):
    ServiceFactory(name="Legacy", team=None, service_owner="U_NAMELESS")
    text = bot.get("/api/v1/services/lookup/?name=legacy&format=text").content.decode()
    assert "Service owner: <@U_NAMELESS>" in text.splitlines()
    body = bot.get("/api/v1/services/lookup/?name=legacy").json()
    assert (body["service_owner"], body["service_owner_name"]) == ("U_NAMELESS", None)


def test_lookup_of_an_unknown_service_is_a_404_in_either_format(bot, org):
    assert_error(bot.get("/api/v1/services/lookup/?name=ledger"), 404, "name")
    text = bot.get("/api/v1/services/lookup/?name=ledger&format=text")
    assert text.status_code == 404
    assert text.content.decode() == "No active service named 'ledger'."
    assert_error(bot.get("/api/v1/services/lookup/"), 400, "name")


@pytest.mark.parametrize("format_", ["xml", "api", "TEXT"])
def test_lookup_in_an_unknown_format_is_a_400_naming_the_formats(bot, org, format_):
    response = bot.get(f"/api/v1/services/lookup/?name=payment&format={format_}")
    body = assert_error(response, 400, "format")
    assert response["Content-Type"].startswith("application/json")
    assert body["detail"] == f"Unknown format '{format_}': use one of json, text."


def test_lookup_takes_three_queries_besides_authentication(bot, org, django_assert_num_queries):
    """The service with its team and the directory's names of whom it names, then the team's
    members and spans."""
    with django_assert_num_queries(TOKEN_AUTH + 3):
        bot.get("/api/v1/services/lookup/?name=payment&format=text")


# --- GET /services/{id}/oncall/ and the on-call embedded in /services/ ---------------------


def test_service_oncall_by_id_answers_like_the_lookup_by_name(bot, org):
    service = org.services.get(name="Bill")
    by_id = bot.get(f"/api/v1/services/{service.pk}/oncall/?at={TUESDAY_NOON}").json()
    assert by_id == oncall(bot, service="Bill", at=TUESDAY_NOON).json()
    assert_error(bot.get("/api/v1/services/00000000-0000-4000-8000-000000000000/oncall/"), 404)
    assert_error(bot.get(f"/api/v1/services/{service.pk}/oncall/?at=soon"), 400, "at")


def test_a_service_embeds_its_teams_oncall_now(bot, org):
    payment = org.services.get(name="Payment")
    team = bot.get(f"/api/v1/services/{payment.pk}/").json()["team"]
    assert team["slug"] == "payments"
    assert (team["oncall"]["engineer_slack_id"], team["oncall"]["source"]) == (
        "U_ALICE",
        "team_default",
    )
    assert team["oncall"]["until"]
    listed = {s["name"]: s["team"] for s in bot.get("/api/v1/services/").json()["results"]}
    assert listed["Orphan"] is None
    assert listed["Hush"]["oncall"] == {
        "engineer_slack_id": None,
        "engineer_name": None,
        "source": "none",
        "until": listed["Hush"]["oncall"]["until"],
    }
    assert listed["Bill"]["oncall"]["engineer_slack_id"] == "U_ALICE"


def test_a_service_of_an_inactive_team_embeds_no_oncall(bot, db):
    team = TeamFactory(is_active=False, oncall_engineer="U_GONE")
    service = ServiceFactory(team=team)
    assert bot.get(f"/api/v1/services/{service.pk}/").json()["team"]["oncall"] is None


def test_a_deleted_teams_service_answers_with_its_own_fallbacks_then_the_teams_group(bot, db):
    """As without a team: the deleted team's on-call is nobody's answer, but its Slack group
    still counts, as the service's own would."""
    gone = TeamFactory(
        name="Gone", slug="gone", oncall_engineer="U_GONE", slack_group_id="S_GONE", is_active=False
    )
    ServiceFactory(name="Heirloom", team=gone, service_owner="U_OWNER")
    ServiceFactory(name="Relic", team=gone)
    heirloom, relic = (oncall(bot, service=name).json() for name in ("Heirloom", "Relic"))
    assert (heirloom["target"], heirloom["source"]) == ("U_OWNER", "service_owner")
    assert (relic["target"], relic["source"]) == ("S_GONE", "slack_group")


def test_a_deleted_team_whose_zone_the_server_lost_gives_its_services_no_team_error(bot, db):
    gone = TeamFactory(name="Gone", slug="gone", timezone="US/Pacific-New", is_active=False)
    ServiceFactory(name="Heirloom", team=gone, service_owner="U_OWNER")
    body = oncall(bot, service="Heirloom").json()
    assert body["target"] == "U_OWNER" and "team_error" not in body


@pytest.mark.parametrize("size", [3, 50])
def test_a_page_of_services_with_their_oncall_takes_seven_queries(
    db, size, django_assert_num_queries
):
    for n in range(size):
        team = TeamFactory(oncall_engineer=f"U{n:03d}")
        ScheduleFactory(team=team)
        ServiceFactory(team=team)
    client = session_client(make_user())
    # session, user, count, page with teams, members, spans, the on-call engineers' names
    with django_assert_num_queries(7):
        body = client.get("/api/v1/services/").json()
    assert len(body["results"]) == size
    assert all(s["team"]["oncall"]["engineer_slack_id"] for s in body["results"])


def test_a_name_holding_line_breaks_stays_on_its_line_of_the_text(bot, org):
    Person.objects.filter(slack_user_id="U_FRANK").update(
        display_name="Frank\nTeam Slack group: S_EVIL"
    )
    text = bot.get("/api/v1/services/lookup/?name=orphan&format=text").content.decode()
    assert "Service owner: Frank Team Slack group: S_EVIL (<@U_FRANK>)" in text.splitlines()
    assert [line for line in text.splitlines() if line.startswith("Team Slack group")] == [
        "Team Slack group: S_ORPH"
    ]


def test_a_lookup_naming_someone_the_directory_holds_without_a_name_reads_it_once(
    bot, db, django_assert_num_queries
):
    """The directory's names come with the service's row: one that names nobody is an answer
    too, not a reason to ask the directory again."""
    Person.objects.update_or_create(
        slack_user_id="U_NAMELESS", defaults={"display_name": "", "real_name": ""}
    )
    ServiceFactory(name="Lonely", team=None, service_owner="U_NAMELESS")
    with django_assert_num_queries(TOKEN_AUTH + 1):  # the service, its names: nothing else
        body = bot.get("/api/v1/services/lookup/?name=Lonely").json()
    assert (body["service_owner"], body["service_owner_name"]) == ("U_NAMELESS", None)
    assert (
        bot.get("/api/v1/services/lookup/?name=Lonely&format=text")
        .content.decode()
        .count("Service owner: <@U_NAMELESS>")
        == 1
    )
