"""/teams/{team}/rotation-config/, /teams/{team}/rotation/preview/ and
/teams/{team}/rotation/generate/. The rotation starts the Monday two weeks before today, so
"now" (the real clock) is always inside it."""

import datetime
import itertools

import pytest
from django.utils import timezone

from audit.models import AuditLog
from oncall_project.base.outbox.models import Notification
from schedules.models import Schedule
from schedules.selectors import local_today
from teams.models import Team, TeamRole
from tests.api_support import ROLES, assert_error, client_for, nothing_changes
from tests.factories import (
    MembershipFactory,
    ScheduleFactory,
    TeamFactory,
    UnavailabilityFactory,
)

DAY = datetime.timedelta(days=1)
MEMBERS = ["U_ALICE", "U_BOB", "U_CAROL"]


@pytest.fixture
def team(db):
    today = timezone.now().date()
    team = TeamFactory(
        name="Payments",
        slug="payments",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=today - datetime.timedelta(days=today.weekday() + 14),
        lookahead_periods=4,
    )
    for n, uid in enumerate(MEMBERS):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=datetime.date(2026, 1, 1 + n))
    return team


@pytest.fixture
def staff(db):
    return client_for("staff")


def url(team: Team, path: str) -> str:
    return f"/api/v1/teams/{team.slug}/{path}/"


def auto_rows(team: Team) -> list[tuple]:
    return list(
        Schedule.objects.filter(team=team, origin="auto")
        .order_by("start_date")
        .values_list("engineer_slack_id", "start_date", "end_date")
    )


def consecutive(entries: list[dict], days: int) -> bool:
    starts = [datetime.date.fromisoformat(e["start_date"]) for e in entries]
    ends = [datetime.date.fromisoformat(e["end_date"]) for e in entries]
    return all(e - s == (days - 1) * DAY for s, e in zip(starts, ends, strict=True)) and all(
        nxt == end + DAY for end, nxt in zip(ends, starts[1:], strict=False)
    )


def current_period(team: Team) -> int:
    return (local_today(team, timezone.now()) - team.rotation_start_date).days // 7


# --- GET /rotation-config/ -----------------------------------------------------------------


def test_rotation_config_shows_the_rotation_fields(staff, team):
    body = staff.get(url(team, "rotation-config")).json()
    assert body == {
        "role": "primary",
        "handoff_day": 0,
        "handoff_time": "09:00:00",
        "lookahead_periods": 4,
        "rotation_enabled": True,
        "rotation_interval": "weekly",
        "rotation_order": [],
        "rotation_order_names": [],
        "rotation_start_date": team.rotation_start_date.isoformat(),
        "rotation_type": "round_robin",
        "current_rotation_index": 0,
        "next_handoff_at": None,
    }


@pytest.mark.parametrize("role", ROLES)
def test_rotation_config_reads_need_authentication_only(team, role):
    response = client_for(role, team).get(url(team, "rotation-config"))
    assert response.status_code == (401 if role == "anonymous" else 200)


# --- PATCH /rotation-config/ ---------------------------------------------------------------


def test_a_rotation_change_regenerates_and_reports_who_gains_and_loses(staff, team):
    staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    before = auto_rows(team)
    order = ["U_CAROL", "U_BOB", "U_ALICE"]
    response = staff.patch(
        url(team, "rotation-config"),
        {"rotation_type": "custom_order", "rotation_order": order},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rotation_type"], body["rotation_order"]) == ("custom_order", order)
    impact = body["impact"]
    assert impact["affected"] == sorted(impact["gains"].keys() | impact["losses"].keys())
    assert impact["affected"]
    for engineer, changes in impact["gains"].items():
        assert all(c["after"] == engineer and c["start_date"] <= c["end_date"] for c in changes)
    for engineer, changes in impact["losses"].items():
        assert all(c["before"] == engineer for c in changes)
    # The current period (Carol's) keeps its schedule; the three after it are planned again:
    # Alice, Bob, Carol become Bob, Alice, Carol, so Carol's is kept as it is.
    assert body["auto_schedules"] == {"created": 2, "deleted": 2}
    after = auto_rows(team)
    assert after[0] == before[0] and after[1:] != before[1:] and len(after) == 4
    team.refresh_from_db()
    assert team.rotation_order == order
    entry = AuditLog.objects.get(entity_type="rotation_config", action="updated")
    assert entry.changes["rotation_type"] == {"old": "round_robin", "new": "custom_order"}


def test_a_rotation_patch_that_changes_nothing_reports_no_impact(staff, team):
    response = staff.patch(url(team, "rotation-config"), {"lookahead_periods": 4}, format="json")
    body = response.json()
    assert body["impact"] == {"affected": [], "names": {}, "gains": {}, "losses": {}}
    assert body["auto_schedules"] == {"created": 0, "deleted": 0}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("token", 403), ("member", 403), ("lead", 200), ("staff", 200)],
)
def test_rotation_config_changes_need_staff_or_a_lead(team, role, status):
    client = client_for(role, team)
    if status != 200:
        with nothing_changes():
            response = client.patch(
                url(team, "rotation-config"), {"lookahead_periods": 6}, format="json"
            )
        assert_error(response, status)
    else:
        response = client.patch(
            url(team, "rotation-config"), {"lookahead_periods": 6}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["lookahead_periods"] == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rotation_type": "random"}, "rotation_type"),
        ({"rotation_interval": "monthly"}, "rotation_interval"),
        ({"handoff_day": 7}, "handoff_day"),
        ({"handoff_time": "25:00"}, "handoff_time"),
        # A wall time in the team's zone: an offset would be dropped, so it is refused.
        ({"handoff_time": "09:00+01:00"}, "handoff_time"),
        ({"handoff_time": "09:00:00Z"}, "handoff_time"),
        ({"handoff_time": "T09:00"}, "handoff_time"),
        ({"lookahead_periods": 0}, "lookahead_periods"),
        ({"lookahead_periods": 53}, "lookahead_periods"),
        ({"rotation_order": ["alice"]}, "rotation_order"),
        ({"rotation_order": "U_ALICE"}, "rotation_order"),
        ({"rotation_order": ["U_ALICE", "U_ALICE"]}, "rotation_order"),
        ({"rotation_start_date": None}, "rotation_start_date"),
        ({"rotation_start_date": "9999-12-31"}, "rotation_start_date"),
        ({"rotation_start_date": "0001-01-01"}, "rotation_start_date"),
        ({"rotation_type": "custom_order"}, "rotation_order"),
        ({"rotation_enabled": "sometimes"}, "rotation_enabled"),
        ({"name": "Renamed"}, "name"),
    ],
)
def test_bad_rotation_values_are_refused_and_change_nothing(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.patch(url(team, "rotation-config"), body, format="json"), 400, field)


def test_a_handoff_time_is_a_wall_time_and_documented_as_one(staff, team):
    response = staff.patch(url(team, "rotation-config"), {"handoff_time": "8:30"}, format="json")
    assert response.json()["handoff_time"] == "08:30:00"
    schema = staff.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("RotationConfig", "PatchedRotationConfigInput", "Team"):
        documented = schema[name]["properties"]["handoff_time"]
        assert "format" not in documented and documented["pattern"], name


def test_rotation_config_of_an_unknown_team_is_a_404(staff):
    assert_error(staff.get("/api/v1/teams/nope/rotation-config/"), 404)
    assert_error(staff.patch("/api/v1/teams/nope/rotation-config/", {}, format="json"), 404)


# --- POST /rotation/preview/ ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["token", "member", "lead", "staff"])
def test_anyone_signed_in_may_preview_and_nothing_is_saved(team, role):
    client = client_for(role)
    with nothing_changes():
        response = client.post(url(team, "rotation/preview"), {"periods": 6}, format="json")
    assert response.status_code == 200, response.content
    entries = response.json()["entries"]
    now = current_period(team)
    assert [e["period"] for e in entries] == list(range(now, now + 6))
    assert [e["engineer_slack_id"] for e in entries] == [
        MEMBERS[i % 3] for i in range(now, now + 6)
    ]
    assert consecutive(entries, 7)
    assert entries[0]["start_date"] <= local_today(team, timezone.now()).isoformat()
    assert response.json()["impact"]["affected"] == []


def test_previewing_changes_shows_their_plan_and_whom_they_move(staff, team):
    with nothing_changes():
        response = staff.post(
            url(team, "rotation/preview"),
            {"periods": 3, "changes": {"rotation_interval": "daily"}},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["entries"]) == 3 and consecutive(body["entries"], 1)
    assert body["impact"]["affected"]


def test_a_plan_names_each_engineer_by_the_name_the_team_calls_them(staff, team):
    """Preview, generate and a change of settings name everyone they give or move a shift to,
    not only by Slack id: the team's own name for a member first."""
    names = {"U_ALICE": "Alice Liddell", "U_BOB": "Bob Dylan", "U_CAROL": "Carol King"}
    for uid, name in names.items():
        team.memberships.filter(slack_user_id=uid).update(display_name=name)
    preview = staff.post(url(team, "rotation/preview"), {"periods": 3}, format="json").json()
    generated = staff.post(url(team, "rotation/generate"), {"periods": 3}, format="json").json()
    for body in (preview, generated):
        assert [e["engineer_name"] for e in body["entries"]] == [
            names[e["engineer_slack_id"]] for e in body["entries"]
        ]
    change = {"rotation_type": "custom_order", "rotation_order": ["U_CAROL", "U_BOB", "U_ALICE"]}
    for response in (
        staff.post(url(team, "rotation/preview"), {"periods": 3, "changes": change}, "json"),
        staff.patch(url(team, "rotation-config"), change, format="json"),
    ):
        impact = response.json()["impact"]
        assert impact["affected"]
        assert impact["names"] == {uid: names[uid] for uid in impact["affected"]}


def test_a_plan_turn_nobody_can_take_has_no_name(staff, team):
    monday = local_today(team, timezone.now())
    monday -= monday.weekday() * DAY
    for uid in MEMBERS:  # everyone away all next week
        UnavailabilityFactory(
            team=team, slack_user_id=uid, start_date=monday + 7 * DAY, end_date=monday + 13 * DAY
        )
    body = staff.post(url(team, "rotation/preview"), {"periods": 2}, format="json").json()
    assert body["entries"][1]["engineer_slack_id"] is None
    assert body["entries"][1]["engineer_name"] is None
    assert body["entries"][0]["engineer_name"]


def test_preview_anonymous_is_refused(team):
    assert_error(
        client_for("anonymous").post(url(team, "rotation/preview"), {"periods": 2}, format="json"),
        401,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "periods"),
        ({"periods": 0}, "periods"),
        ({"periods": 105}, "periods"),
        ({"periods": "many"}, "periods"),
        ({"periods": True}, "periods"),
        ({"periods": 2, "changes": {"rotation_type": "random"}}, "changes.rotation_type"),
        ({"periods": 2, "changes": {"name": "x"}}, "changes.name"),
        ({"periods": 2, "changes": ["daily"]}, "changes"),
        ({"periods": 2, "changes": {"rotation_type": "custom_order"}}, "changes.rotation_order"),
        (
            {"periods": 2, "changes": {"rotation_start_date": "9999-12-31"}},
            "changes.rotation_start_date",
        ),
        (
            {"periods": 2, "changes": {"rotation_start_date": "0001-01-01"}},
            "changes.rotation_start_date",
        ),
        ({"periods": 2, "extra": 1}, "extra"),
    ],
)
def test_preview_refuses_bad_input(staff, team, body, field):
    with nothing_changes():
        assert_error(staff.post(url(team, "rotation/preview"), body, format="json"), 400, field)


# --- POST /rotation/generate/ --------------------------------------------------------------


def test_generate_saves_the_auto_schedules_once(team):
    # A lead who does not take shifts, so the rotation stays Alice, Bob, Carol.
    MembershipFactory(
        team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD, is_eligible_for_oncall=False
    )
    lead = client_for("lead", team)
    response = lead.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 4
    now = current_period(team)
    expected = [MEMBERS[i % 3] for i in range(now, now + 4)]
    assert [e["engineer_slack_id"] for e in body["entries"]] == expected
    assert [row[0] for row in auto_rows(team)] == expected
    assert AuditLog.objects.filter(action="generated").count() == 1

    again = lead.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    assert again.status_code == 200 and again.json()["created"] == 0
    assert len(auto_rows(team)) == 4


def test_generate_never_double_books_a_manual_schedule(staff, team):
    monday = local_today(team, timezone.now())
    monday -= monday.weekday() * DAY
    manual = ScheduleFactory(
        team=team,
        engineer_slack_id="U_DAVE",
        start_date=monday + 7 * DAY,
        end_date=monday + 13 * DAY,
    )
    staff.post(url(team, "rotation/generate"), {"periods": 3}, format="json")
    for _, start, end in auto_rows(team):
        assert end < manual.start_date or start > manual.end_date


def test_generate_plans_the_turns_after_a_filled_gap_again(staff, team):
    """Next week's auto schedule is deleted, Dave covers two days of it and its engineer is
    away that week: generate gives the gap to the next in turn and plans the weeks after it
    again, so nobody has two turns in a row, and the preview said exactly that."""
    staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    monday = local_today(team, timezone.now())
    monday -= monday.weekday() * DAY
    next_week = Schedule.objects.get(team=team, origin="auto", start_date=monday + 7 * DAY)
    away = next_week.engineer_slack_id
    schedules = url(team, "oncall-schedules")
    assert staff.delete(f"{schedules}{next_week.pk}/").status_code == 204
    manual = {
        "engineer_slack_id": "U_DAVE",
        "start_date": (monday + 7 * DAY).isoformat(),
        "end_date": (monday + 8 * DAY).isoformat(),
    }
    assert staff.post(schedules, manual, format="json").status_code == 201
    UnavailabilityFactory(
        team=team, slack_user_id=away, start_date=monday + 7 * DAY, end_date=monday + 13 * DAY
    )
    preview = staff.post(url(team, "rotation/preview"), {"periods": 4}, format="json").json()

    response = staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["entries"], body["impact"]) == (preview["entries"], preview["impact"])
    turns = [e["engineer_slack_id"] for e in body["entries"]]
    assert all(a != b for a, b in itertools.pairwise(turns)), turns
    assert turns[1] != away and turns[2] == away  # the turn is kept, one week later
    rows = auto_rows(team)
    periods = [(start - team.rotation_start_date).days // 7 for _, start, _ in rows]
    engineers = dict(zip(periods, [engineer for engineer, _, _ in rows], strict=False))
    assert [engineers[p] for p in sorted(engineers)] == turns
    assert Schedule.objects.filter(team=team, origin="manual", **manual).count() == 1
    for _, start, end in rows:
        assert end < monday + 7 * DAY or start > monday + 8 * DAY  # never double-booked
    assert body["deleted"] >= 1


def test_generate_tells_whose_shifts_the_fresh_plan_moves(staff, team):
    staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    monday = local_today(team, timezone.now())
    monday -= monday.weekday() * DAY
    next_week = Schedule.objects.get(team=team, origin="auto", start_date=monday + 7 * DAY)
    away = next_week.engineer_slack_id
    next_week.delete()
    UnavailabilityFactory(
        team=team, slack_user_id=away, start_date=monday + 7 * DAY, end_date=monday + 13 * DAY
    )
    body = staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json").json()
    told = set(Notification.objects.filter(kind="shifts_moved").values_list("channel", flat=True))
    assert told == set(body["impact"]["affected"]) and told


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("token", 403), ("member", 403)])
def test_generate_needs_staff_or_a_lead(team, role, status):
    client = client_for(role, team)
    with nothing_changes():
        response = client.post(url(team, "rotation/generate"), {"periods": 2}, format="json")
    assert_error(response, status)


@pytest.mark.parametrize("body", [{}, {"periods": 0}, {"periods": 200}, {"periods": [2]}])
def test_generate_refuses_bad_periods(staff, team, body):
    with nothing_changes():
        assert_error(
            staff.post(url(team, "rotation/generate"), body, format="json"), 400, "periods"
        )


def test_generate_for_an_unknown_team_is_a_404(staff):
    assert_error(
        staff.post("/api/v1/teams/nope/rotation/generate/", {"periods": 2}, format="json"), 404
    )


def test_a_lead_of_another_team_may_not_generate(team):
    other = TeamFactory(slug="other")
    MembershipFactory(team=other, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    client = client_for("lead")
    with nothing_changes():
        assert_error(
            client.post(url(team, "rotation/generate"), {"periods": 2}, format="json"), 403
        )


# --- people in the rotation (issue 12 item 7, issue 13 item 7) -------------------------------


def test_a_preview_naming_someone_outside_the_team_is_refused_not_given_every_period(staff, team):
    body = {
        "periods": 4,
        "changes": {"rotation_type": "custom_order", "rotation_order": ["U_ALICE", "U_NOBODY"]},
    }
    with nothing_changes():
        response = assert_error(
            staff.post(url(team, "rotation/preview"), body, format="json"),
            400,
            "changes.rotation_order",
        )
    assert "U_NOBODY" in response["errors"]["changes.rotation_order"][0]


def test_rotation_config_refuses_an_order_with_people_outside_the_team(staff, team):
    with nothing_changes():
        response = staff.patch(
            url(team, "rotation-config"),
            {"rotation_type": "custom_order", "rotation_order": ["U_BOB", "U_DAVE", "U_NOBODY"]},
            format="json",
        )
        body = assert_error(response, 400, "rotation_order")
    assert "U_DAVE, U_NOBODY" in body["errors"]["rotation_order"][0]


def test_the_preview_warns_about_members_not_eligible_or_away(staff, team):
    Team.objects.filter(pk=team.pk).update(rotation_type="custom_order", rotation_order=MEMBERS)
    MembershipFactory._meta.model.objects.filter(team=team, slack_user_id="U_BOB").update(
        is_eligible_for_oncall=False
    )
    today = local_today(team, timezone.now())
    UnavailabilityFactory(
        team=team, slack_user_id="U_CAROL", start_date=today + DAY, end_date=today + 3 * DAY
    )

    body = staff.post(url(team, "rotation/preview"), {"periods": 4}, format="json").json()

    warnings = " | ".join(body["warnings"])
    assert "(U_BOB) is not eligible" in warnings
    assert "(U_CAROL) is away" in warnings
    assert "U_ALICE" not in warnings


def test_a_preview_of_a_healthy_rotation_warns_about_nothing(staff, team):
    body = staff.post(url(team, "rotation/preview"), {"periods": 4}, format="json").json()
    assert body["warnings"] == []


def test_switching_the_rotation_off_reports_the_auto_schedules_it_deleted(staff, team):
    staff.post(url(team, "rotation/generate"), {"periods": 4}, format="json")
    response = staff.patch(url(team, "rotation-config"), {"rotation_enabled": False}, format="json")
    assert response.status_code == 200, response.content
    # the current period's schedule stays; the three after it go, and none is made
    assert response.json()["auto_schedules"] == {"created": 0, "deleted": 3}
    assert len(auto_rows(team)) == 1


def test_a_rotation_change_warns_about_the_people_its_order_passes_over(staff, team):
    MembershipFactory._meta.model.objects.filter(team=team, slack_user_id="U_BOB").update(
        is_eligible_for_oncall=False
    )
    response = staff.patch(
        url(team, "rotation-config"),
        {"rotation_type": "custom_order", "rotation_order": ["U_BOB", "U_CAROL"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    warnings = response.json()["warnings"]
    assert len(warnings) == 1 and "(U_BOB) is not eligible" in warnings[0]
