"""The backup line over the API: its settings, plan and generation (`?role=backup`), schedules
and overrides on it (`role`), and the on-call reads (`?role=`, and `backup` beside a primary
answer). The rotations start the Monday two weeks before today, so "now" is inside them."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from schedules import domain
from schedules.lines import line_state
from schedules.models import Override, Role, Schedule
from schedules.selectors import team_state
from teams.models import BackupLine, Team
from tests.api_support import assert_error, client_for
from tests.factories import (
    MembershipFactory,
    ServiceFactory,
    TeamFactory,
    UnavailabilityFactory,
)

DAY = datetime.timedelta(days=1)
MEMBERS = ["U_ALICE", "U_BOB", "U_CAROL", "U_DAVE"]


def monday_two_weeks_ago() -> datetime.date:
    today = timezone.now().date()
    return today - datetime.timedelta(days=today.weekday() + 14)


@pytest.fixture
def team(db):
    return payments_of_four()


def payments_of_four() -> Team:
    """Payments: a weekly round robin of four from the Monday two weeks ago, Mondays 09:00."""
    team = TeamFactory(
        name="Payments",
        slug="payments",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=monday_two_weeks_ago(),
        lookahead_periods=4,
    )
    for n, uid in enumerate(MEMBERS):
        MembershipFactory(
            team=team,
            slack_user_id=uid,
            display_name=uid.removeprefix("U_").title(),
            joined_at=datetime.date(2026, 1, 1 + n),
        )
    return team


@pytest.fixture
def staff(db):
    return client_for("staff")


BACKUP_ON = {
    "rotation_enabled": True,
    "rotation_type": "round_robin",
    "rotation_interval": "daily",
    "handoff_time": "18:00",
}


def url(team: Team, path: str, role: str | None = "backup") -> str:
    query = f"?role={role}" if role else ""
    return f"/api/v1/teams/{team.slug}/{path}/{query}"


def turn_on_backup(staff, team: Team, **changes) -> dict:
    body = {**BACKUP_ON, "rotation_start_date": monday_two_weeks_ago().isoformat(), **changes}
    response = staff.patch(url(team, "rotation-config"), body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def assert_never_both_lines(team: Team, days: int = 60) -> None:
    today = timezone.now().date()
    primary = domain.resolve_range(
        team_state(team, today, today + days * DAY), today, today + days * DAY
    )
    backup = domain.resolve_range(
        line_state(team, Role.BACKUP, today, today + days * DAY), today, today + days * DAY
    )
    for p, b in zip(primary, backup, strict=True):
        assert b.engineer != p.engineer, (p, b)


# --- rotation-config ---------------------------------------------------------------------


def test_a_team_has_no_backup_line_until_one_is_set_up(staff, team):
    body = staff.get(url(team, "rotation-config")).json()
    assert body["role"] == "backup" and body["rotation_enabled"] is False
    assert body["current_rotation_index"] is None and body["next_handoff_at"] is None
    assert not BackupLine.objects.exists()
    primary = staff.get(url(team, "rotation-config", role=None)).json()
    assert primary["role"] == "primary" and primary["rotation_enabled"] is True


def test_turning_the_backup_line_on_plans_it_clear_of_the_primary(staff, team):
    body = turn_on_backup(staff, team)
    assert body["role"] == "backup" and body["rotation_interval"] == "daily"
    assert body["handoff_time"] == "18:00:00" and body["auto_schedules"]["created"] > 0
    line = BackupLine.objects.get(team=team)
    assert line.rotation_enabled and line.handoff_time == datetime.time(18)
    backup_rows = Schedule.objects.filter(team=team, role="backup", origin="auto")
    assert backup_rows.count() == body["auto_schedules"]["created"]
    assert_never_both_lines(team)
    entry = AuditLog.objects.get(entity_type="rotation_config", metadata__role="backup")
    assert entry.changes["rotation_enabled"] == {"old": False, "new": True}
    team.refresh_from_db()
    assert team.rotation_interval == "weekly", "the primary's settings are untouched"


def test_bad_backup_settings_are_refused_and_nothing_is_written(staff, team):
    response = staff.patch(url(team, "rotation-config"), {"rotation_enabled": True}, format="json")
    assert_error(response, 400, "rotation_start_date")
    assert not BackupLine.objects.exists() and not AuditLog.objects.exists()
    assert not Schedule.objects.filter(role="backup").exists()


def test_an_unknown_role_is_a_400_naming_it(staff, team):
    assert_error(staff.get(url(team, "rotation-config", role="tertiary")), 400, "role")
    assert_error(staff.get(url(team, "oncall", role="tertiary")), 400, "role")


def test_only_leads_and_staff_change_the_backup_line(team):
    member = client_for("member", team)
    response = member.patch(url(team, "rotation-config"), BACKUP_ON, format="json")
    assert_error(response, 403)
    assert not BackupLine.objects.exists()


def test_a_change_to_the_primary_replans_the_backup(staff, team):
    turn_on_backup(staff, team, rotation_interval="weekly", handoff_time="09:00")
    response = staff.patch(
        url(team, "rotation-config", role=None),
        {"rotation_type": "custom_order", "rotation_order": ["U_DAVE", "U_CAROL", "U_BOB"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert_never_both_lines(team)


@pytest.mark.parametrize("every_team", [True, False], ids=["every team", "this team"])
def test_the_backup_line_skips_someone_away_from_every_team_as_from_this_one(
    staff, team, every_team
):
    today = timezone.now().date()
    away = {"start_date": today + 3 * DAY, "end_date": today + 9 * DAY}
    UnavailabilityFactory(team=None if every_team else team, slack_user_id="U_BOB", **away)
    turn_on_backup(staff, team)
    backup = domain.resolve_range(
        line_state(team, Role.BACKUP, today, today + 14 * DAY), today, today + 14 * DAY
    )
    days_of_bob = [a.on_call_date for a in backup if a.engineer == "U_BOB"]
    assert days_of_bob and not [
        d for d in days_of_bob if away["start_date"] <= d <= away["end_date"]
    ]


def test_backup_eligibility_is_per_member(staff, team):
    team.memberships.exclude(slack_user_id__in=["U_ALICE", "U_BOB"]).update(
        is_eligible_for_backup=False
    )
    turn_on_backup(staff, team)
    engineers = set(
        Schedule.objects.filter(team=team, role="backup").values_list(
            "engineer_slack_id", flat=True
        )
    )
    assert engineers <= {"U_ALICE", "U_BOB"} and engineers


# --- preview and generate ----------------------------------------------------------------


def test_preview_of_the_backup_line_never_gives_the_periods_primary(staff, team):
    body = {
        "periods": 8,
        "changes": {**BACKUP_ON, "rotation_start_date": str(monday_two_weeks_ago())},
    }
    response = staff.post(url(team, "rotation/preview"), body, format="json")
    assert response.status_code == 200, response.content
    entries = response.json()["entries"]
    assert len(entries) == 8 and not BackupLine.objects.exists()
    primary = team_state(team, timezone.now().date(), timezone.now().date() + 30 * DAY)
    for entry in entries:
        day = datetime.date.fromisoformat(entry["start_date"])
        assert entry["engineer_slack_id"] not in (None, domain.resolve_day(primary, day).engineer)


@pytest.mark.parametrize("handoff", ["07:00", "21:00"])
def test_preview_of_a_new_backup_handoff_time_is_what_saving_it_plans(staff, team, handoff):
    """The primary's days count as away once, by the handoff time tried (the saved one's days
    were counted as well, so the preview skipped people the save then planned)."""
    turn_on_backup(staff, team)
    body = {"periods": 14, "changes": {"handoff_time": handoff}}
    response = staff.post(url(team, "rotation/preview"), body, format="json")
    assert response.status_code == 200, response.content
    previewed = [(e["start_date"], e["engineer_slack_id"]) for e in response.json()["entries"]]
    turn_on_backup(staff, team, handoff_time=handoff, lookahead_periods=14)
    saved = list(
        Schedule.objects.filter(team=team, role="backup", start_date__gte=previewed[0][0])
        .order_by("start_date")
        .values_list("start_date", "engineer_slack_id")[: len(previewed)]
    )
    assert previewed == [(str(day), who) for day, who in saved]


def test_preview_of_the_backup_line_calls_nobody_away_for_being_the_primary(staff, team):
    turn_on_backup(staff, team)
    response = staff.post(url(team, "rotation/preview"), {"periods": 14}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == []


BIWEEKLY_ON_WEDNESDAYS = {"rotation_interval": "biweekly", "handoff_day": 2}


def test_a_backup_line_that_would_plan_nobody_says_why_in_its_preview_and_save(staff, team):
    """Three people on a weekly primary handing off on Mondays: a biweekly backup handing off
    on Wednesdays takes in three primary weeks each time, so nobody is free for a whole one."""
    team.memberships.filter(slack_user_id="U_DAVE").delete()  # three people
    turn_on_backup(staff, team)
    body = {"periods": 4, "changes": BIWEEKLY_ON_WEDNESDAYS}
    preview = staff.post(url(team, "rotation/preview"), body, format="json").json()
    assert None in {e["engineer_slack_id"] for e in preview["entries"]}
    assert preview["warnings"][0].startswith("Nobody can take the turn")
    assert "each candidate is the primary (or away) on some day of it" in preview["warnings"][0]
    saved = turn_on_backup(staff, team, **BIWEEKLY_ON_WEDNESDAYS)
    assert saved["warnings"][0] == preview["warnings"][0]
    handing_off_with_the_primary = {**BIWEEKLY_ON_WEDNESDAYS, "handoff_day": 0}
    body = {"periods": 4, "changes": {**handing_off_with_the_primary, "handoff_time": "09:00"}}
    preview = staff.post(url(team, "rotation/preview"), body, format="json").json()
    assert preview["warnings"] == []
    assert None not in {e["engineer_slack_id"] for e in preview["entries"]}


def test_a_primary_change_that_leaves_the_backup_line_nobody_says_so_in_preview_and_save(
    staff, team
):
    """Three people; a weekly backup beside a weekly primary plans fine. The primary turned
    daily gives all three primary days in every backup week: the save says so."""
    team.memberships.filter(slack_user_id="U_DAVE").delete()
    weekly_with_the_primary = {"rotation_interval": "weekly", "handoff_day": 0}
    assert (
        turn_on_backup(staff, team, **weekly_with_the_primary, handoff_time="09:00")["warnings"]
        == []
    )
    body = {"rotation_interval": "daily", "handoff_day": None}
    tried = {"periods": 4, "changes": body}
    preview = staff.post(url(team, "rotation/preview", role=None), tried, format="json").json()
    response = staff.patch(url(team, "rotation-config", role=None), body, format="json")
    assert response.status_code == 200, response.content
    backup_warnings = [w for w in response.json()["warnings"] if w.startswith("Backup line: ")]
    assert len(backup_warnings) == 1
    assert backup_warnings[0].startswith("Backup line: Nobody can take the turn")
    assert "each candidate is the primary (or away) on some day of it" in backup_warnings[0]
    # the preview said so before: the same words
    assert [w for w in preview["warnings"] if w.startswith("Backup line: ")] == backup_warnings
    back_to_weekly = {"periods": 4, "changes": {"rotation_interval": "weekly", "handoff_day": 0}}
    preview = staff.post(url(team, "rotation/preview", role=None), back_to_weekly, format="json")
    assert preview.json()["warnings"] == []


def test_generate_on_the_backup_line_saves_backup_schedules(staff, team):
    turn_on_backup(staff, team)
    Schedule.objects.filter(team=team, role="backup").delete()
    primary_before = set(Schedule.objects.filter(team=team, role="primary").values_list("pk"))
    response = staff.post(url(team, "rotation/generate"), {"periods": 10}, format="json")
    assert response.status_code == 201, response.content
    assert Schedule.objects.filter(team=team, role="backup").count() == response.json()["created"]
    assert (
        set(Schedule.objects.filter(team=team, role="primary").values_list("pk")) == primary_before
    )
    entry = AuditLog.objects.filter(action="generated").latest("created_at")
    assert entry.metadata["role"] == "backup"


# --- schedules and overrides -------------------------------------------------------------


def schedule(staff, team, role=None, who="U_DAVE", days=(3, 5)):
    today = timezone.now().date()
    body = {
        "engineer_slack_id": who,
        "start_date": str(today + days[0] * DAY),
        "end_date": str(today + days[1] * DAY),
    }
    if role:
        body["role"] = role
    return staff.post(url(team, "oncall-schedules", role=None), body, format="json")


def test_schedules_overlap_only_on_their_own_line(staff, team):
    assert schedule(staff, team).status_code == 201
    created = schedule(staff, team, role="backup", who="U_CAROL")
    assert created.status_code == 201 and created.json()["role"] == "backup"
    assert_error(schedule(staff, team, role="backup", who="U_BOB", days=(4, 6)), 409, "start_date")
    listed = staff.get(url(team, "oncall-schedules") + "&origin=manual").json()["results"]
    assert [(s["engineer_slack_id"], s["role"]) for s in listed] == [("U_CAROL", "backup")]
    entry = AuditLog.objects.get(entity_type="schedule", engineer_slack_id="U_CAROL")
    assert entry.metadata["role"] == "backup"


def test_a_schedule_stays_on_its_line(staff, team):
    # Bob's primary weeks are the second and sixth: never these days (nobody holds both lines).
    created = schedule(staff, team, role="backup", who="U_BOB").json()
    path = f"/api/v1/teams/{team.slug}/oncall-schedules/{created['id']}/"
    assert_error(staff.patch(path, {"role": "primary"}, format="json"), 400, "role")
    assert Schedule.objects.get(pk=created["id"]).role == "backup"


def test_a_backup_override_changes_the_backup_answer_only(staff, team):
    turn_on_backup(staff, team)
    before = staff.get(url(team, "oncall", role=None)).json()
    today = timezone.now().date()
    body = {
        "engineer_slack_id": "U_ERIN",
        "start_date": str(today - DAY),
        "end_date": str(today + DAY),
        "role": "backup",
    }
    response = staff.post(url(team, "oncall-overrides", role=None), body, format="json")
    assert response.status_code == 201 and response.json()["role"] == "backup"
    assert Override.objects.get().role == "backup"
    backup = staff.get(url(team, "oncall")).json()
    assert (backup["engineer_slack_id"], backup["source"]) == ("U_ERIN", "override")
    primary = staff.get(url(team, "oncall", role=None)).json()
    assert primary["engineer_slack_id"] == before["engineer_slack_id"]
    assert (primary["backup"]["engineer_slack_id"], primary["backup"]["source"]) == (
        "U_ERIN",
        "override",
    )


# --- on-call reads -----------------------------------------------------------------------


def test_a_primary_answer_names_the_backup_when_the_team_has_one(staff, team):
    plain = staff.get(url(team, "oncall", role=None)).json()
    assert "backup" not in plain
    turn_on_backup(staff, team)
    primary = staff.get(url(team, "oncall", role=None)).json()
    backup = staff.get(url(team, "oncall")).json()
    assert "backup" not in backup
    assert backup["engineer_slack_id"] not in (None, primary["engineer_slack_id"])
    assert backup["source"] == "rotation"
    assert primary["backup"] == {
        "engineer_slack_id": backup["engineer_slack_id"],
        "engineer_name": backup["display_name"],
        "source": "rotation",
        "from": backup["from"],
        "until": backup["until"],
    }
    # The backup line hands off daily at 18:00, in the team's zone.
    assert backup["until"].endswith("T18:00:00Z")


def test_a_weekly_backup_line_hands_off_on_its_own_day(staff, team):
    """The primary hands off on Mondays; the backup line, set to Thursdays, on Thursdays."""
    turn_on_backup(staff, team, rotation_interval="weekly", handoff_day=3)
    backup = staff.get(url(team, "oncall")).json()
    assert backup["source"] == "rotation"
    for field in ("from", "until"):
        instant = datetime.datetime.fromisoformat(backup[field])
        assert (instant.weekday(), instant.hour) == (3, 18), backup


def test_a_backup_line_turned_off_is_named_beside_the_primary_no_more(staff, team):
    """Its row stays (its settings kept for next time), but the team runs no backup line."""
    turn_on_backup(staff, team)
    off = staff.patch(url(team, "rotation-config"), {"rotation_enabled": False}, format="json")
    assert off.status_code == 200, off.content
    assert BackupLine.objects.filter(team=team).exists()
    assert "backup" not in staff.get(url(team, "oncall", role=None)).json()


def test_the_bots_lookups_take_a_role(staff, team):
    service = ServiceFactory(name="Payment", team=team)
    turn_on_backup(staff, team)
    backup = staff.get(url(team, "oncall")).json()["engineer_slack_id"]
    primary = staff.get(url(team, "oncall", role=None)).json()["engineer_slack_id"]
    by_service = staff.get("/api/v1/oncall/?service=payment").json()
    assert by_service["engineer_slack_id"] == primary
    assert by_service["backup"]["engineer_slack_id"] == backup
    by_team = staff.get("/api/v1/oncall/?team=payments&role=backup").json()
    assert by_team["engineer_slack_id"] == backup and "backup" not in by_team
    detail = staff.get(f"/api/v1/services/{service.pk}/oncall/?role=backup").json()
    assert detail["engineer_slack_id"] == backup and "backup" not in detail
    mentions = staff.get("/api/v1/oncall/mentions/?services=Payment").json()
    assert mentions["mentions"] == [f"<@{primary}>"]
    mentions = staff.get("/api/v1/oncall/mentions/?services=Payment&role=backup").json()
    assert mentions["mentions"] == [f"<@{backup}>"]


def test_the_bots_team_lookup_names_the_backup_beside_the_primary(staff, team):
    turn_on_backup(staff, team)
    backup = staff.get(url(team, "oncall")).json()["engineer_slack_id"]
    by_team = staff.get("/api/v1/oncall/?team=payments").json()
    assert by_team["backup"]["engineer_slack_id"] == backup


def test_a_team_without_a_backup_line_answers_nobody_for_the_backup(staff, team):
    """Neither the service's own fallbacks nor the team's default: those are the primary's."""
    Team.objects.filter(pk=team.pk).update(oncall_engineer="U_LEAD", slack_group_id="S_PAY")
    service = ServiceFactory(name="Payment", team=team, primary_oncall="U_OWNER")
    body = staff.get(url(team, "oncall")).json()
    assert (body["engineer_slack_id"], body["mention"], body["source"]) == (None, None, "none")
    assert body["fallback_chain"] == []
    body = staff.get("/api/v1/oncall/?service=Payment&role=backup").json()
    assert (body["engineer_slack_id"], body["source"]) == (None, "none")
    assert (body["target"], body["kind"], body["mention"]) == (None, None, None)
    # asked by the service's id too: the service's own fallbacks are the primary line's
    body = staff.get(f"/api/v1/services/{service.pk}/oncall/?role=backup").json()
    assert (body["engineer_slack_id"], body["source"]) == (None, "none")
    assert (
        staff.get("/api/v1/oncall/mentions/?services=Payment&role=backup").json()["mentions"] == []
    )


def test_a_services_answer_by_id_reads_its_teams_backup_line_with_it(
    staff, team, django_assert_num_queries
):
    service = ServiceFactory(name="Payment", team=team)
    turn_on_backup(staff, team)
    path = f"/api/v1/services/{service.pk}/oncall/"
    staff.get(path)
    # session, user, and the service with its team and backup line: the states are kept
    with django_assert_num_queries(3):
        assert staff.get(path).json()["backup"]


def test_a_backup_answer_takes_few_queries(staff, team, django_assert_max_num_queries):
    turn_on_backup(staff, team)
    staff.get(url(team, "oncall", role=None))
    # session, user, team (its backup line joined), and the cached states: none more
    with django_assert_max_num_queries(6):
        assert staff.get(url(team, "oncall", role=None)).json()["backup"]
