"""/teams/{team}/oncall/, /users/{slack_id}/schedules/, /teams/{team}/oncall-history/ and
/coverage-gaps/."""

import datetime

import pytest
from django.utils import timezone

from schedules.selectors import local_today
from teams.models import Person, Team
from tests.api_support import ROLES, assert_error, client_for, make_user, session_client
from tests.factories import (
    BackupLineFactory,
    MembershipFactory,
    OnCallRecordFactory,
    OverrideFactory,
    ScheduleFactory,
    TeamFactory,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
TUESDAY_NOON = "2026-12-08T12:00:00Z"


@pytest.fixture
def staff(db):
    return client_for("staff")


@pytest.fixture
def team(db):
    """Berlin, handoff 09:00 local; Alice holds the week of 7 December by a schedule."""
    team = TeamFactory(
        name="Payments",
        slug="payments",
        timezone="Europe/Berlin",
        oncall_engineer="U_LEAD",
        slack_group_id="S_PAY",
    )
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice")
    ScheduleFactory(
        team=team, engineer_slack_id="U_ALICE", start_date=D(2026, 12, 7), end_date=D(2026, 12, 13)
    )
    return team


def oncall_url(team: Team | str, at: str | None = None) -> str:
    ref = team if isinstance(team, str) else team.slug
    return f"/api/v1/teams/{ref}/oncall/" + (f"?at={at}" if at else "")


# --- /teams/{team}/oncall/ -----------------------------------------------------------------


def test_team_oncall_says_who_why_and_until_when_in_the_teams_time(staff, team):
    body = staff.get(oncall_url(team, TUESDAY_NOON)).json()
    assert body == {
        "team": {"id": str(team.pk), "name": "Payments", "slug": "payments"},
        "engineer_slack_id": "U_ALICE",
        "engineer_name": "Alice",
        "display_name": "Alice",
        "mention": "<@U_ALICE>",
        "source": "schedule",
        "on_call_date": "2026-12-08",
        "from": "2026-12-07T09:00:00+01:00",
        "until": "2026-12-14T09:00:00+01:00",
        "from_date": "2026-12-07",
        "until_date": "2026-12-13",
        "fallback_chain": [
            {"source": "schedule", "target": "U_ALICE", "kind": "user", "mention": "<@U_ALICE>"},
            {"source": "team_default", "target": "U_LEAD", "kind": "user", "mention": "<@U_LEAD>"},
            {
                "source": "slack_group",
                "target": "S_PAY",
                "kind": "group",
                "mention": "<!subteam^S_PAY>",
            },
        ],
    }


def test_team_oncall_applies_an_approved_override_and_not_a_pending_one(staff, team):
    OverrideFactory(
        team=team,
        engineer_slack_id="U_BOB",
        status="approved",
        start_date=D(2026, 12, 8),
        end_date=D(2026, 12, 9),
    )
    OverrideFactory(
        team=team,
        engineer_slack_id="U_CAROL",
        status="pending",
        start_date=D(2026, 12, 10),
        end_date=D(2026, 12, 10),
    )
    body = staff.get(oncall_url(team, TUESDAY_NOON)).json()
    assert (body["engineer_slack_id"], body["source"], body["display_name"]) == (
        "U_BOB",
        "override",
        "",
    )
    assert (body["from"], body["until"]) == (
        "2026-12-08T09:00:00+01:00",
        "2026-12-10T09:00:00+01:00",
    )
    thursday = staff.get(oncall_url(team, "2026-12-10T12:00:00Z")).json()
    assert (thursday["engineer_slack_id"], thursday["source"]) == ("U_ALICE", "schedule")


def test_team_oncall_names_whoever_covers_from_outside_the_team_from_the_directory(staff, team):
    """Who covers may come from another team, and the default engineer need not be a member:
    `engineer_name` is the directory's name then, as in the bot's lookups; `display_name`
    stays the team's (none)."""
    for slack_id, name in (("U_BOB", "Bob Stone"), ("U_LEAD", "Lee Adams")):
        Person.objects.update_or_create(slack_user_id=slack_id, defaults={"display_name": name})
    OverrideFactory(
        team=team,
        engineer_slack_id="U_BOB",
        status="approved",
        start_date=D(2026, 12, 8),
        end_date=D(2026, 12, 8),
    )
    covered = staff.get(oncall_url(team, TUESDAY_NOON)).json()
    assert (covered["engineer_name"], covered["display_name"]) == ("Bob Stone", "")
    by_default = staff.get(oncall_url(team, "2026-12-07T07:30:00Z")).json()
    assert (by_default["source"], by_default["engineer_name"]) == ("team_default", "Lee Adams")
    bot = staff.get(f"/api/v1/oncall/?team={team.slug}&at={TUESDAY_NOON}").json()
    assert bot["engineer_name"] == covered["engineer_name"]


def test_before_the_handoff_the_previous_day_still_holds(staff, team):
    # 07:30 UTC is 08:30 in Berlin: Sunday 6 December's on-call day, before Alice's week.
    body = staff.get(oncall_url(team, "2026-12-07T07:30:00Z")).json()
    assert (body["on_call_date"], body["engineer_slack_id"], body["source"]) == (
        "2026-12-06",
        "U_LEAD",
        "team_default",
    )
    assert body["until"] == "2026-12-07T09:00:00+01:00"


def test_a_team_with_nobody_answers_a_coverage_gap(staff):
    TeamFactory(slug="empty")
    body = staff.get(oncall_url("empty", TUESDAY_NOON)).json()
    assert (body["engineer_slack_id"], body["mention"], body["source"]) == (None, None, "none")
    assert body["display_name"] == "" and body["fallback_chain"] == []


def test_team_oncall_defaults_to_now_and_takes_the_id(staff):
    team = TeamFactory(oncall_engineer="U_DEFAULT")
    body = staff.get(oncall_url(str(team.pk))).json()
    assert (body["engineer_slack_id"], body["source"]) == ("U_DEFAULT", "team_default")
    assert body["on_call_date"] == local_today(team, timezone.now()).isoformat()


@pytest.mark.parametrize("at", ["2026-12-07T09:30:00+01:00", "2026-12-07T09:30:00.250+01:00"])
def test_an_offset_whose_plus_sign_was_not_url_encoded_still_reads(staff, team, at):
    # "+01:00" arrives as " 01:00" when the caller forgot to encode it.
    body = staff.get(oncall_url(team, at)).json()
    assert (body["on_call_date"], body["engineer_slack_id"]) == ("2026-12-07", "U_ALICE")


@pytest.mark.parametrize(
    "at",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-12-08",
        "2999-01-01T00:00:00Z",
        "1900-01-01T00:00:00Z",  # as far out in the past is refused too
        "",
    ],
)
def test_a_bad_at_is_a_400_naming_it(staff, team, at):
    assert_error(staff.get(oncall_url(team) + f"?at={at}"), 400, "at")


def test_team_oncall_for_an_unknown_team_is_a_404(staff):
    assert_error(staff.get(oncall_url("nope")), 404)


@pytest.mark.parametrize(
    "url",
    [
        oncall_url("payments", TUESDAY_NOON),
        f"/api/v1/oncall/?team=Payments&at={TUESDAY_NOON}",
    ],
)
def test_a_deleted_team_has_nobody_on_call_to_tell(staff, team, url):
    """As /who/ and Slack's /oncall find no such team and its services skip it: the bot is not
    handed a name from a deleted team's kept schedules. Its history stays readable."""
    assert staff.get(url).json()["engineer_slack_id"] == "U_ALICE"
    assert staff.delete("/api/v1/teams/payments/").status_code == 204
    body = assert_error(staff.get(url), 404, "team")
    assert "Payments" in body["detail"] and "deleted" in body["detail"]
    assert staff.get("/api/v1/teams/payments/oncall-history/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_team_oncall_needs_authentication_only(team, role):
    response = client_for(role, team).get(oncall_url(team, TUESDAY_NOON))
    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("size", [2, 30])
def test_team_oncall_takes_the_same_queries_whatever_the_size(db, size, django_assert_num_queries):
    team = TeamFactory(slug="busy")
    for n in range(size):
        start = D(2026, 6, 1) + datetime.timedelta(weeks=n)
        ScheduleFactory(
            team=team, engineer_slack_id=f"U{n}", start_date=start, end_date=start + 6 * DAY
        )
        MembershipFactory(team=team, slack_user_id=f"U{n}")
    client = session_client(make_user())
    # session, user, team, members, spans
    with django_assert_num_queries(5):
        assert client.get(oncall_url(team, TUESDAY_NOON)).status_code == 200


# --- /users/{slack_id}/schedules/ ----------------------------------------------------------


def schedules_url(slack_id: str, query: str = "") -> str:
    return f"/api/v1/users/{slack_id}/schedules/{query}"


def test_a_persons_periods_name_a_team_whose_periods_cannot_be_worked_out(staff, team):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    response = staff.get(schedules_url("U_ALICE", "?from=2026-12-01&to=2026-12-31"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert {p["team"]["slug"] for p in body["periods"]} == {"payments"}
    (error,) = body["team_errors"]
    assert (error["team"]["slug"], error["team_error"]) == (
        "odd",
        "Unknown time zone 'US/Pacific-New'.",
    )
    empty = staff.get(schedules_url("U_NOBODY", "?from=2026-12-01&to=2026-12-31")).json()
    assert empty["team_errors"] == []


def test_a_persons_periods_name_the_person(staff, team):
    """By the directory's name, beside the id asked; null for an id the directory lacks."""
    alice = staff.get(schedules_url("U_ALICE")).json()
    nobody = staff.get(schedules_url("U_NOBODY")).json()
    assert (alice["slack_id"], alice["name"]) == ("U_ALICE", "Alice Nguyen")
    assert (nobody["slack_id"], nobody["name"]) == ("U_NOBODY", None)


def test_a_persons_periods_across_teams_with_overrides_applied(staff, team):
    OverrideFactory(
        team=team,
        engineer_slack_id="U_BOB",
        status="approved",
        start_date=D(2026, 12, 12),
        end_date=D(2026, 12, 13),
    )
    identity = TeamFactory(name="Identity", slug="identity", oncall_engineer="U_BOB")
    OverrideFactory(
        team=identity,
        engineer_slack_id="U_ALICE",
        status="approved",
        start_date=D(2026, 12, 10),
        end_date=D(2026, 12, 11),
    )
    OverrideFactory(
        team=identity,
        engineer_slack_id="U_ALICE",
        status="pending",
        start_date=D(2026, 12, 20),
        end_date=D(2026, 12, 21),
    )
    TeamFactory(name="Search", oncall_engineer="U_CAROL")
    TeamFactory(name="Gone", oncall_engineer="U_ALICE", is_active=False)

    body = staff.get(schedules_url("U_ALICE", "?from=2026-12-01&to=2026-12-31")).json()
    assert (body["slack_id"], body["from"], body["to"]) == ("U_ALICE", "2026-12-01", "2026-12-31")
    got = [
        (p["team"]["slug"], p["start_date"], p["end_date"], p["source"]) for p in body["periods"]
    ]
    assert got == [
        ("payments", "2026-12-07", "2026-12-11", "schedule"),
        ("identity", "2026-12-10", "2026-12-11", "override"),
    ]
    first = body["periods"][0]
    assert (first["from"], first["until"]) == (
        "2026-12-07T09:00:00+01:00",
        "2026-12-12T09:00:00+01:00",
    )


def test_a_persons_periods_include_team_default_days(staff):
    TeamFactory(slug="fallback", oncall_engineer="U_DEFAULT")
    body = staff.get(schedules_url("U_DEFAULT", "?from=2026-12-01&to=2026-12-03")).json()
    assert [(p["start_date"], p["end_date"], p["source"]) for p in body["periods"]] == [
        ("2026-12-01", "2026-12-03", "team_default")
    ]


def test_a_persons_periods_include_schedules_touching_the_window_by_one_day(staff):
    """Not a member of either team: the schedules alone make them the person's teams."""
    ScheduleFactory(
        team=TeamFactory(slug="ends"),
        engineer_slack_id="U_ZED",
        start_date=datetime.date(2026, 11, 25),
        end_date=datetime.date(2026, 12, 1),
    )
    ScheduleFactory(
        team=TeamFactory(slug="starts"),
        engineer_slack_id="U_ZED",
        start_date=datetime.date(2026, 12, 3),
        end_date=datetime.date(2026, 12, 9),
    )
    body = staff.get(schedules_url("U_ZED", "?from=2026-12-01&to=2026-12-03")).json()
    assert [(p["team"]["slug"], p["start_date"], p["end_date"]) for p in body["periods"]] == [
        ("ends", "2026-12-01", "2026-12-01"),
        ("starts", "2026-12-03", "2026-12-03"),
    ]


def test_a_persons_window_defaults_to_the_next_28_days(staff):
    body = staff.get(schedules_url("U_NOBODY")).json()
    today = timezone.now().date()
    assert (body["from"], body["to"]) == (today.isoformat(), (today + 28 * DAY).isoformat())
    assert body["periods"] == []


@pytest.mark.parametrize(
    ("slack_id", "query", "field"),
    [
        ("alice", "", "slack_id"),
        ("U_ALICE", "?from=someday", "from"),
        ("U_ALICE", "?to=2026-02-30", "to"),
        ("U_ALICE", "?from=2026-12-10&to=2026-12-09", "to"),
        ("U_ALICE", "?from=2026-01-01&to=2027-01-02", "to"),
        ("U_ALICE", "?from=2999-01-01&to=2999-01-02", "from"),
        ("U_ALICE", "?from=1900-01-01&to=1900-01-02", "from"),
    ],
)
def test_a_persons_schedule_refuses_bad_input(staff, slack_id, query, field):
    assert_error(staff.get(schedules_url(slack_id, query)), 400, field)


def test_a_full_year_window_is_allowed(staff):
    response = staff.get(schedules_url("U_ALICE", "?from=2026-01-01&to=2027-01-01"))
    assert response.status_code == 200, response.content


def test_a_one_day_window_is_allowed(staff):
    TeamFactory(slug="fallback", oncall_engineer="U_DEFAULT")
    body = staff.get(schedules_url("U_DEFAULT", "?from=2026-12-02&to=2026-12-02")).json()
    assert [(p["start_date"], p["end_date"]) for p in body["periods"]] == [
        ("2026-12-02", "2026-12-02")
    ]


def test_a_persons_window_with_a_start_only_runs_28_days_from_it(staff):
    body = staff.get(schedules_url("U_NOBODY", "?from=2027-03-01")).json()
    assert (body["from"], body["to"]) == ("2027-03-01", "2027-03-29")


@pytest.mark.parametrize("role", ROLES)
def test_a_persons_schedule_needs_authentication_only(db, role):
    response = client_for(role).get(schedules_url("U_ALICE"))
    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("size", [2, 12])
def test_a_persons_schedule_takes_the_same_queries_whatever_the_size(
    db, size, django_assert_num_queries
):
    for n in range(size):
        team = TeamFactory()
        MembershipFactory(team=team, slack_user_id="U_ALICE")
        ScheduleFactory(
            team=team,
            engineer_slack_id="U_ALICE",
            start_date=D(2026, 12, n + 1),
            end_date=D(2026, 12, n + 1),
        )
    client = session_client(make_user())
    # session, user, teams, members, spans, the person's name
    with django_assert_num_queries(6):
        body = client.get(schedules_url("U_ALICE", "?from=2026-12-01&to=2026-12-31")).json()
    assert len(body["periods"]) == size


# --- /teams/{team}/oncall-history/ ---------------------------------------------------------


def history_url(team: Team, query: str = "") -> str:
    return f"/api/v1/teams/{team.slug}/oncall-history/{query}"


def test_history_is_the_ledger_newest_first_and_filters_by_dates(staff, team):
    for day, who in ((1, "U_ALICE"), (2, "U_BOB"), (3, "")):
        OnCallRecordFactory(
            team=team,
            on_call_date=D(2026, 12, day),
            engineer_slack_id=who,
            source="none" if not who else "schedule",
        )
    OnCallRecordFactory(on_call_date=D(2026, 12, 2))

    def rows(query: str = "") -> list[tuple]:
        body = staff.get(history_url(team, query)).json()
        return [(r["on_call_date"], r["engineer_slack_id"], r["source"]) for r in body["results"]]

    assert rows() == [
        ("2026-12-03", "", "none"),
        ("2026-12-02", "U_BOB", "schedule"),
        ("2026-12-01", "U_ALICE", "schedule"),
    ]
    assert rows("?from=2026-12-02") == rows()[:2]
    assert rows("?to=2026-12-02") == rows()[1:]
    assert rows("?from=2026-12-02&to=2026-12-02") == [("2026-12-02", "U_BOB", "schedule")]


def test_history_refuses_a_bad_date_and_an_unknown_team(staff, team):
    assert_error(staff.get(history_url(team, "?from=soon")), 400, "from")
    assert_error(staff.get("/api/v1/teams/nope/oncall-history/"), 404)


@pytest.mark.parametrize("role", ROLES)
def test_history_needs_authentication_only(team, role):
    response = client_for(role, team).get(history_url(team))
    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("size", [2, 40])
def test_history_takes_the_same_queries_whatever_the_size(team, size, django_assert_num_queries):
    for n in range(size):
        OnCallRecordFactory(team=team, on_call_date=D(2026, 1, 1) + n * DAY)
    client = session_client(make_user())
    # session, user, team, count, page
    with django_assert_num_queries(5):
        assert client.get(history_url(team)).json()["count"] == size


# --- /coverage-gaps/ -----------------------------------------------------------------------


def gaps_by_slug(client, query: str = "") -> dict[str, list[tuple]]:
    response = client.get(f"/api/v1/coverage-gaps/{query}")
    assert response.status_code == 200, response.content
    return {
        row["team"]["slug"]: [(g["start_date"], g["end_date"], g["days"]) for g in row["gaps"]]
        for row in response.json()["results"]
    }


def test_coverage_gaps_for_every_active_team(staff):
    empty = TeamFactory(name="A empty", slug="empty")
    TeamFactory(name="B covered", slug="covered", oncall_engineer="U_DEFAULT")
    partly = TeamFactory(name="C partly", slug="partly")
    TeamFactory(name="D gone", slug="gone", is_active=False)
    today = local_today(partly, timezone.now())
    ScheduleFactory(team=partly, start_date=today + 2 * DAY, end_date=today + 4 * DAY)

    def day(n: int) -> str:
        return (today + n * DAY).isoformat()

    assert gaps_by_slug(staff) == {
        "empty": [(day(0), day(13), 14)],
        "covered": [],
        "partly": [(day(0), day(1), 2), (day(5), day(13), 9)],
    }
    assert gaps_by_slug(staff, "?days=3") == {
        "empty": [(day(0), day(2), 3)],
        "covered": [],
        "partly": [(day(0), day(1), 2)],
    }
    assert gaps_by_slug(staff, "?team=partly&days=1") == {"partly": [(day(0), day(0), 1)]}
    assert gaps_by_slug(staff, f"?team={empty.pk}") == {"empty": [(day(0), day(13), 14)]}


def test_coverage_gaps_of_a_team_whose_on_call_cannot_be_worked_out_are_null_with_why(staff):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    TeamFactory(name="A odd", slug="odd", timezone="US/Pacific-New")
    BackupLineFactory(
        team=TeamFactory(name="B covered", slug="covered", oncall_engineer="U_DEFAULT"),
        rotation_enabled=True,
        rotation_start_date=D(2026, 11, 30),
    )
    response = staff.get("/api/v1/coverage-gaps/")
    assert response.status_code == 200, response.content
    odd, covered = response.json()["results"]
    assert odd == {
        "team": {"id": odd["team"]["id"], "name": "A odd", "slug": "odd"},
        "gaps": None,
        "team_error": "Unknown time zone 'US/Pacific-New'.",
    }
    assert covered["gaps"] == [] and "team_error" not in covered
    assert covered["backup_gaps"]  # nobody eligible for the backup line: all gaps


def test_coverage_gaps_keep_the_teams_in_name_order_beside_one_that_cannot_answer(staff):
    TeamFactory(name="A covered", slug="covered", oncall_engineer="U_DEFAULT")
    TeamFactory(name="Z odd", slug="odd", timezone="US/Pacific-New")  # gone in tzdata 2020b
    rows = staff.get("/api/v1/coverage-gaps/").json()["results"]
    assert [(r["team"]["slug"], r["gaps"]) for r in rows] == [("covered", []), ("odd", None)]


@pytest.mark.parametrize("ref", ["nope", "gone"])
def test_coverage_gaps_of_a_team_that_is_not_there_are_a_404(staff, ref):
    TeamFactory(name="D gone", slug="gone", is_active=False)
    body = assert_error(staff.get(f"/api/v1/coverage-gaps/?team={ref}"), 404, "team")
    assert body["detail"] == f"No active team '{ref}'."
    # as /oncall/ answers a team it cannot find
    assert_error(staff.get("/api/v1/oncall/?team=nope"), 404, "team")


@pytest.mark.parametrize("days", ["0", "91", "two", "-1"])
def test_coverage_gaps_refuse_days_out_of_range(staff, days):
    assert_error(staff.get(f"/api/v1/coverage-gaps/?days={days}"), 400, "days")


@pytest.mark.parametrize("role", ROLES)
def test_coverage_gaps_need_authentication_only(db, role):
    response = client_for(role).get("/api/v1/coverage-gaps/")
    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("size", [3, 30])
def test_coverage_gaps_take_the_same_queries_whatever_the_number_of_teams(
    db, size, django_assert_num_queries
):
    for n in range(size):
        team = TeamFactory(rotation_enabled=n % 2 == 0, rotation_start_date=D(2026, 1, 5))
        MembershipFactory(team=team)
        ScheduleFactory(team=team)
    client = session_client(make_user())
    # session, user, count, page of teams, members, spans
    with django_assert_num_queries(6):
        assert client.get("/api/v1/coverage-gaps/").json()["count"] == size


def test_an_at_just_beyond_ten_years_is_refused(staff, team):
    beyond = timezone.now() + datetime.timedelta(days=366 * 10 + 2)
    assert_error(staff.get(oncall_url(team) + f"?at={beyond:%Y-%m-%dT%H:%M:%SZ}"), 400, "at")


def test_coverage_gaps_list_the_teams_in_name_order(staff):
    names = ["Zeta", "Alpha", "Mu", "Beta", "Omega", "Kappa", "Delta", "Iota"]
    for name in names:
        TeamFactory(name=name)
    rows = staff.get("/api/v1/coverage-gaps/").json()["results"]
    assert [row["team"]["name"] for row in rows] == sorted(names)


def test_coverage_gaps_of_each_team_start_from_its_own_on_call_day(staff):
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are never on the same on-call date: each
    team's gaps run from its own today, not the earliest of them."""
    teams = [
        TeamFactory(name="East", slug="east", timezone="Pacific/Kiritimati"),
        TeamFactory(name="West", slug="west", timezone="Pacific/Pago_Pago"),
    ]
    now = timezone.now()
    expected = {}
    for team in teams:
        today = local_today(team, now)
        expected[team.slug] = [(today.isoformat(), (today + 2 * DAY).isoformat(), 3)]
    assert expected["east"] != expected["west"]
    assert gaps_by_slug(staff, "?days=3") == expected


def test_coverage_gaps_look_as_far_as_ninety_days(staff):
    team = TeamFactory(slug="empty")
    today = local_today(team, timezone.now())
    last = (today + 89 * DAY).isoformat()
    assert gaps_by_slug(staff, "?days=90") == {"empty": [(today.isoformat(), last, 90)]}
