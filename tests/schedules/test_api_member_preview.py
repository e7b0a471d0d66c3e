"""POST /teams/{team}/rotation/preview/ with `member`: what adding, changing or removing a
member would plan on each line, before it is saved. The preview must say what the save then
does: each case previews a change, saves it through /members/, and compares the plan."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditLog
from schedules.models import Schedule
from teams.models import Person, Team, TeamMembership
from tests.api_support import assert_error, client_for
from tests.factories import MembershipFactory, UnavailabilityFactory
from tests.page_support import shown
from tests.schedules.test_api_backup import DAY, payments_of_four, turn_on_backup, url

PERIODS = 14  # two weeks of the daily backup line: past the primary's next handoff


@pytest.fixture
def team(db):
    return payments_of_four()


@pytest.fixture
def staff(db):
    return client_for("staff")


def preview(client, team: Team, role: str | None, **body):
    return client.post(
        url(team, "rotation/preview", role=role), {"periods": PERIODS, **body}, format="json"
    )


def plan(client, team: Team, role: str | None) -> list[tuple]:
    response = preview(client, team, role)
    assert response.status_code == 200, response.content
    return entries(response.json())


def entries(body: dict) -> list[tuple]:
    return [(e["start_date"], e["engineer_slack_id"]) for e in body["entries"]]


def members_url(team: Team, slack_user_id: str = "") -> str:
    return f"/api/v1/teams/{team.slug}/members/" + (f"{slack_user_id}/" if slack_user_id else "")


def save(client, team: Team, member: dict) -> None:
    member = dict(member)
    uid = member.pop("slack_user_id")
    if member.pop("remove", False):
        response = client.delete(members_url(team, uid))
    elif team.memberships.filter(slack_user_id=uid).exists():
        response = client.patch(members_url(team, uid), member, format="json")
    else:
        response = client.post(members_url(team), {"slack_user_id": uid, **member}, format="json")
    assert response.status_code in (200, 201, 204), response.content


CHANGES = {
    "no longer on call": {"slack_user_id": "U_BOB", "is_eligible_for_oncall": False},
    "no longer backup": {"slack_user_id": "U_BOB", "is_eligible_for_backup": False},
    "removed": {"slack_user_id": "U_CAROL", "remove": True},
    "joined first": {"slack_user_id": "U_DAVE", "joined_at": "2025-12-01"},
    "added": {"slack_user_id": "U_ERIN", "joined_at": "2025-06-01"},
}


@pytest.mark.parametrize("role", [None, "backup"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_member_change_previews_the_plan_its_save_makes(staff, team, change, role):
    assert_preview_is_what_saving_plans(staff, team, change, role)


def assert_preview_is_what_saving_plans(staff, team: Team, change: dict, role: str | None) -> dict:
    """Previews `change` with the primary's turns saved and a daily backup line on, checks it
    saved nothing, saves it, and checks the plan then is the one previewed; the preview."""
    Person.objects.update_or_create(slack_user_id="U_ERIN", defaults={"is_active": True})
    generated = staff.post(url(team, "rotation/generate", role=None), {"periods": 4}, format="json")
    assert generated.status_code == 201, generated.content  # the primary's turns are saved
    turn_on_backup(staff, team)
    saved = (Schedule.objects.count(), AuditLog.objects.count(), TeamMembership.objects.count())
    response = preview(staff, team, role, member=change)
    assert response.status_code == 200, response.content
    tried = response.json()
    assert (
        Schedule.objects.count(),
        AuditLog.objects.count(),
        TeamMembership.objects.count(),
    ) == saved, "a preview saves nothing"
    before = plan(staff, team, role)
    save(staff, team, change)
    assert entries(tried) == plan(staff, team, role)
    moved = {
        uid
        for (_, was), (_, now) in zip(before, entries(tried))
        if was != now
        for uid in (was, now)
    }
    assert moved - {None} <= set(tried["impact"]["affected"])
    return tried


def test_taking_someone_off_the_rotation_names_whom_it_moves_by_name(staff, team):
    body = preview(staff, team, None, member=CHANGES["no longer on call"]).json()
    assert "U_BOB" not in {e["engineer_slack_id"] for e in body["entries"]}
    assert "U_BOB" in body["impact"]["losses"] and body["impact"]["names"]["U_BOB"] == "Bob"
    assert any("Bob" in warning and "not eligible" in warning for warning in body["warnings"])


def test_a_removal_that_leaves_the_backup_line_nobody_says_so(staff, team):
    """A biweekly backup handing off on Wednesdays beside the weekly primary: four people
    leave one free in every backup period; three would be the primary on some day of each."""
    turn_on_backup(staff, team, rotation_interval="biweekly", handoff_day=2, handoff_time="09:00")
    assert not [w for w in preview(staff, team, None).json()["warnings"] if "Backup" in w]
    body = preview(staff, team, None, member=CHANGES["removed"]).json()
    [warning] = [w for w in body["warnings"] if w.startswith("Backup line: ")]
    assert "each candidate is the primary (or away) on some day of it" in warning
    backup = preview(staff, team, "backup", member=CHANGES["removed"]).json()
    assert None in {e["engineer_slack_id"] for e in backup["entries"]}


@pytest.mark.parametrize(
    ("member", "status", "field"),
    [
        ({"slack_user_id": "U_NOBODY", "remove": True}, 404, None),
        ({"slack_user_id": "U_STRANGER"}, 400, "member.slack_user_id"),
        ({"slack_user_id": "U_BOB", "weight": 0}, 400, "member.weight"),
        ({"slack_user_id": "U_BOB", "joined_at": "1900-01-01"}, 400, "member.joined_at"),
        ({"slack_user_id": "U_BOB", "remove": True, "weight": 2}, 400, "member"),
        ({"slack_user_id": "U_BOB", "team_role": "lead"}, 400, "member.team_role"),
        ({"is_eligible_for_oncall": False}, 400, "member.slack_user_id"),
    ],
)
def test_a_bad_member_change_is_refused_and_changes_nothing(staff, team, member, status, field):
    saved = list(TeamMembership.objects.values_list("slack_user_id", "weight", "joined_at"))
    assert_error(preview(staff, team, None, member=member), status, field)
    assert list(TeamMembership.objects.values_list("slack_user_id", "weight", "joined_at")) == saved


def test_settings_and_a_member_are_not_tried_together(staff, team):
    body = {"changes": {"rotation_interval": "daily"}, "member": CHANGES["removed"]}
    assert_error(preview(staff, team, None, **body), 400)


@pytest.mark.parametrize("role", [None, "backup"])
def test_a_member_preview_takes_the_same_queries_whatever_the_team_size(staff, team, role):
    turn_on_backup(staff, team)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = preview(staff, team, role, member=CHANGES["no longer on call"])
        assert response.status_code == 200, response.content
        return len(captured)

    few = queries()
    for n in range(26):
        MembershipFactory(
            team=team, slack_user_id=f"U_MORE{n:02d}", joined_at=datetime.date(2026, 2, 1)
        )
    assert queries() == few


@pytest.mark.parametrize("role", [None, "backup"])
def test_a_weight_change_on_a_weighted_rotation_previews_the_plan_its_save_makes(staff, team, role):
    Team.objects.filter(pk=team.pk).update(rotation_type="weighted")
    TeamMembership.objects.filter(team=team).update(weight=1.0)
    change = {"slack_user_id": "U_BOB", "weight": 4.0}
    tried = assert_preview_is_what_saving_plans(staff, team, change, role)
    assert tried["impact"]["affected"], "a four-fold share moves some turn"


@pytest.mark.parametrize("role", [None, "backup"])
def test_a_change_to_someone_gone_from_slack_keeps_them_out_of_the_preview(staff, team, role):
    Team.objects.filter(pk=team.pk).update(slack_group_id="S_PAYMENTS")
    team.memberships.filter(slack_user_id="U_BOB").update(in_slack_group=False)
    change = {"slack_user_id": "U_BOB", "weight": 2.0}
    tried = assert_preview_is_what_saving_plans(staff, team, change, role)
    assert "U_BOB" not in {e["engineer_slack_id"] for e in tried["entries"]}


def test_someone_added_without_a_join_date_is_previewed_as_joining_today(staff, team):
    """Abe joined today too: by (joined_at, id) Erin, joining today, comes after him."""
    Person.objects.update_or_create(slack_user_id="U_ABE", defaults={"is_active": True})
    MembershipFactory(team=team, slack_user_id="U_ABE", joined_at=timezone.localdate())
    assert_preview_is_what_saving_plans(staff, team, {"slack_user_id": "U_ERIN"}, None)


def test_someone_away_late_in_the_periods_is_warned_of(staff, team):
    later = timezone.localdate() + datetime.timedelta(days=40)
    UnavailabilityFactory(
        team=team, slack_user_id="U_CAROL", start_date=later, end_date=later + DAY
    )
    body = preview(staff, team, None, member=CHANGES["no longer on call"]).json()
    assert f"Carol (U_CAROL) is away {shown(later)} to {shown(later + DAY)}" in " ".join(
        body["warnings"]
    )


def test_a_removal_after_the_turns_are_saved_names_the_backup_turns_it_leaves_to_nobody(
    staff, team
):
    """The biweekly backup beside the weekly primary, as in
    `test_a_removal_that_leaves_the_backup_line_nobody_says_so`, with the primary's turns saved:
    removing Alice, whose saved weeks would free a backup candidate, leaves the first backup
    turn nobody's, and the warning names it as the saved plan then has it."""
    generated = staff.post(url(team, "rotation/generate", role=None), {"periods": 4}, format="json")
    assert generated.status_code == 201, generated.content
    turn_on_backup(staff, team, rotation_interval="biweekly", handoff_day=2, handoff_time="09:00")
    alice = {"slack_user_id": "U_ALICE", "remove": True}
    body = preview(staff, team, None, member=alice).json()
    [warning] = [w for w in body["warnings"] if w.startswith("Backup line: ")]
    save(staff, team, alice)
    nobodys = [start for start, who in plan(staff, team, "backup") if who is None]
    assert nobodys, plan(staff, team, "backup")
    assert f"{shown(datetime.date.fromisoformat(nobodys[0]))} to " in warning, (nobodys, warning)


def test_an_inactive_person_is_not_previewed_as_added(staff, team):
    Person.objects.update_or_create(slack_user_id="U_GONE", defaults={"is_active": False})
    response = preview(staff, team, None, member={"slack_user_id": "U_GONE"})
    assert_error(response, 400, "member.slack_user_id")


def test_the_backup_lines_own_preview_carries_no_backup_line_warning(staff, team):
    """Bob left as the only backup: his turns beside his own primary weeks go to nobody, which
    the backup's preview says as its own warning, not as the primary's 'Backup line: …'."""
    team.memberships.exclude(slack_user_id__in=["U_BOB", "U_CAROL"]).update(
        is_eligible_for_backup=False
    )
    turn_on_backup(staff, team)
    change = {"slack_user_id": "U_CAROL", "is_eligible_for_backup": False}
    body = preview(staff, team, "backup", member=change).json()
    assert {e["engineer_slack_id"] for e in body["entries"]} <= {"U_BOB", None}
    assert not [w for w in body["warnings"] if w.startswith("Backup line: ")], body["warnings"]


def test_someone_new_is_named_in_the_warnings_as_saving_them_would_name_them(staff, team):
    """The save takes a newcomer's name from the directory: the preview's warnings do too."""
    Person.objects.update_or_create(
        slack_user_id="U_ERIN", defaults={"is_active": True, "display_name": "Erin Wu"}
    )
    member = {"slack_user_id": "U_ERIN", "is_eligible_for_oncall": False}
    body = preview(staff, team, None, member=member).json()
    assert (
        "Erin Wu (U_ERIN) is not eligible for on-call: the rotation skips them." in body["warnings"]
    )
