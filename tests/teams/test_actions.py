import datetime

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from oncall_project.base.outbox.models import Notification
from schedules.actions import rotation_generate
from schedules.models import Schedule
from teams import actions
from teams.actions import MembershipFields, TeamFields
from teams.models import Team, TeamMembership, TeamRole, Unavailability
from tests.factories import MembershipFactory, TeamFactory, UnavailabilityFactory
from tests.locks import second_write_while_first_holds
from tests.page_support import shown


def only_audit_row() -> AuditLog:
    rows = list(AuditLog.objects.all())
    assert len(rows) == 1, rows
    return rows[0]


def test_team_create_derives_slug_and_audits(db, staff_actor):
    team = actions.team_create(
        actor=staff_actor, fields=TeamFields(name="Auth & Identity", timezone="Europe/Berlin")
    )
    assert team.slug == "auth-identity"
    row = only_audit_row()
    assert (row.entity_type, row.action, row.actor_id) == ("team", "created", "ops-admin")
    assert row.changes["name"] == {"old": None, "new": "Auth & Identity"}
    assert row.changes["timezone"] == {"old": None, "new": "Europe/Berlin"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"slack_group_id": "C123"}, "slack_group_id"),
        ({"slack_channel_id": "S123"}, "slack_channel_id"),
        ({"oncall_engineer": "alice"}, "oncall_engineer"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_team_create_refuses_bad_input_and_leaves_no_trace(db, staff_actor, fields, field):
    with pytest.raises(InvalidInput) as excinfo:
        actions.team_create(
            actor=staff_actor, fields=TeamFields.parse({"name": "Payments", **fields})
        )
    assert field in excinfo.value.errors
    assert Team.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_team_create_refuses_a_taken_slug(db, staff_actor):
    TeamFactory(name="Payments", slug="payments")
    with pytest.raises(InvalidInput) as excinfo:
        actions.team_create(actor=staff_actor, fields=TeamFields(name="Payments"))
    assert "slug" in excinfo.value.errors


def test_team_create_keeps_the_slug_it_is_given(db, staff_actor):
    team = actions.team_create(
        actor=staff_actor, fields=TeamFields(name="Auth & Identity", slug="auth")
    )
    assert Team.objects.get(pk=team.pk).slug == "auth"
    assert only_audit_row().changes["slug"] == {"old": None, "new": "auth"}


def test_a_team_name_without_a_letter_to_make_a_slug_of_is_refused_on_the_name(db, staff_actor):
    with pytest.raises(InvalidInput) as excinfo:
        actions.team_create(actor=staff_actor, fields=TeamFields(name="!!!"))
    assert excinfo.value.errors == {"name": ["A team needs a name."]}
    assert not Team.objects.exists()


def test_the_system_creates_archives_and_restores_a_team(db):
    """Scripts and imports act as the system (no actor): they are not refused as non-staff."""
    team = actions.team_create(actor=None, fields=TeamFields(name="Search"))
    actions.team_soft_delete(team=team, actor=None)
    assert Team.objects.get(pk=team.pk).is_active is False
    actions.team_restore(team=team, actor=None)
    assert Team.objects.get(pk=team.pk).is_active is True
    assert AuditLog.objects.filter(actor_id="system").count() == 3


def test_team_create_needs_staff(db, member_actor):
    with pytest.raises(Forbidden):
        actions.team_create(actor=member_actor, fields=TeamFields(name="Payments"))


def test_team_update_records_old_and_new_values(db, staff_actor):
    team = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    actions.team_update(
        team=team, actor=staff_actor, changes=TeamFields(oncall_engineer="U_BOB", name="Payments")
    )
    row = only_audit_row()
    assert row.changes == {"oncall_engineer": {"old": "U_ALICE", "new": "U_BOB"}}
    assert row.team_id == team.pk


def test_team_update_without_change_writes_nothing(db, staff_actor):
    team = TeamFactory(name="Payments")
    actions.team_update(team=team, actor=staff_actor, changes=TeamFields(name="Payments"))
    assert AuditLog.objects.count() == 0


def test_team_update_by_lead_is_allowed_and_by_member_refused(db):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    actions.team_update(team=team, actor=lead, changes=TeamFields(description="We take payments."))
    with pytest.raises(Forbidden):
        actions.team_update(
            team=team,
            actor=Actor(id="U_MEMBER", slack_user_id="U_MEMBER"),
            changes=TeamFields(description="x"),
        )
    team.refresh_from_db()
    assert team.description == "We take payments."


def test_a_write_to_a_team_removed_meanwhile_is_not_found(db, staff_actor):
    """The page or API read the team, then the admin removed it for good: a 404, not a 500."""
    team = TeamFactory()
    Team.objects.filter(pk=team.pk).delete()
    with pytest.raises(NotFound, match=r"^No such team\.$"):
        actions.team_update(team=team, actor=staff_actor, changes=TeamFields(description="x"))
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("team_id", ["not-a-uuid", "12345"])
def test_locking_a_team_by_an_id_that_is_no_team_id_is_not_found(db, team_id):
    with pytest.raises(NotFound, match=r"^No such team\.$"):
        actions.lock_team(team_id)


def test_soft_delete_and_restore(db, staff_actor):
    team = TeamFactory()
    actions.team_soft_delete(team=team, actor=staff_actor)
    team.refresh_from_db()
    assert not team.is_active
    actions.team_soft_delete(team=team, actor=staff_actor)
    actions.team_restore(team=team, actor=staff_actor)
    team.refresh_from_db()
    assert team.is_active
    assert list(AuditLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "deleted",
        "restored",
    ]


def test_membership_upsert_creates_then_updates(db, staff_actor):
    team = TeamFactory()
    _, added = actions.membership_upsert(
        team=team, slack_user_id="U_ALICE", actor=staff_actor, fields=MembershipFields(weight=2)
    )
    membership, added_again = actions.membership_upsert(
        team=team,
        slack_user_id="U_ALICE",
        actor=staff_actor,
        fields=MembershipFields(team_role="lead"),
    )
    assert (added, added_again) == (True, False)
    assert (membership.weight, membership.team_role) == (2, "lead")
    created, updated = AuditLog.objects.order_by("created_at")
    assert created.action == "created" and created.changes["weight"]["new"] == 2
    assert updated.changes == {"team_role": {"old": "member", "new": "lead"}}
    for row in (created, updated):  # found under the person's name, and on the team's audit tab
        assert (row.actor_id, row.engineer_slack_id, row.team_id) == (
            "ops-admin",
            "U_ALICE",
            team.pk,
        )


def test_a_member_added_without_a_name_takes_the_directorys(db, staff_actor):
    membership, _ = actions.membership_upsert(
        team=TeamFactory(), slack_user_id="U_ALICE", actor=staff_actor
    )
    assert membership.display_name == "Alice Nguyen"
    changes = only_audit_row().changes
    assert changes["display_name"] == {"old": None, "new": "Alice Nguyen"}
    assert changes["slack_user_id"] == {"old": None, "new": "U_ALICE"}


@pytest.mark.parametrize(
    ("slack_user_id", "fields"),
    [("alice", {}), ("U_ALICE", {"weight": 0}), ("U_ALICE", {"team_role": "boss"})],
)
def test_membership_upsert_refuses_bad_input(db, staff_actor, slack_user_id, fields):
    team = TeamFactory()
    with pytest.raises(InvalidInput):
        actions.membership_upsert(
            team=team,
            slack_user_id=slack_user_id,
            actor=staff_actor,
            fields=MembershipFields(**fields),
        )
    assert TeamMembership.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_membership_remove(db, staff_actor):
    membership = MembershipFactory(slack_user_id="U_ALICE")
    actions.membership_remove(team=membership.team, slack_user_id="U_ALICE", actor=staff_actor)
    assert TeamMembership.objects.count() == 0
    changes = only_audit_row().changes
    assert changes["slack_user_id"] == {"old": "U_ALICE", "new": None}
    assert (changes["team_role"], changes["weight"]) == (
        {"old": "member", "new": None},
        {"old": 1.0, "new": None},
    )
    row = only_audit_row()  # found under the person's name, and on the team's audit tab
    assert (row.engineer_slack_id, row.team_id) == ("U_ALICE", membership.team_id)
    with pytest.raises(NotFound):
        actions.membership_remove(team=membership.team, slack_user_id="U_ALICE", actor=staff_actor)


def test_membership_update_changes_a_member_and_never_adds_one(db, staff_actor):
    membership = MembershipFactory(slack_user_id="U_ALICE", weight=1)
    updated = actions.membership_update(
        team=membership.team,
        slack_user_id="U_ALICE",
        actor=staff_actor,
        fields=MembershipFields(weight=3),
    )
    assert updated.weight == 3 and only_audit_row().changes == {"weight": {"old": 1, "new": 3}}
    with pytest.raises(NotFound, match=r"Bob Stone \(U_BOB\) is not a member of"):
        actions.membership_update(
            team=membership.team,
            slack_user_id="U_BOB",
            actor=staff_actor,
            fields=MembershipFields(weight=2),
        )
    assert TeamMembership.objects.count() == 1 and AuditLog.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_edit_that_waited_on_a_removal_does_not_bring_the_member_back(staff_actor):
    """Two leads at once: one removes Alice, the other saves her edited row. The edit waits
    on the team's lock, then finds her gone (a 404) instead of adding her again."""
    membership = MembershipFactory(slack_user_id="U_ALICE")
    team = membership.team
    waited, [outcome] = second_write_while_first_holds(
        lambda: actions.membership_remove(team=team, slack_user_id="U_ALICE", actor=staff_actor),
        lambda: actions.membership_update(
            team=team,
            slack_user_id="U_ALICE",
            actor=staff_actor,
            fields=MembershipFields(team_role="lead"),
        ),
    )
    assert waited and isinstance(outcome, NotFound)
    assert not TeamMembership.objects.exists()
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["deleted"]


def test_team_sync_members_is_refused_to_a_member_under_its_own_lock(db):
    """The sync from Slack checks first to spare Slack a refused caller's calls; the action
    checks again itself, for whoever calls it without that check."""
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_MEMBER", in_slack_group=True)
    member = Actor(id="U_MEMBER", slack_user_id="U_MEMBER")
    with pytest.raises(Forbidden, match=f"Only staff or a lead of {team.name} may do this."):
        actions.team_sync_members(team=team, slack_members=["U_LEAD"], actor=member)
    assert TeamMembership.objects.get(slack_user_id="U_MEMBER").in_slack_group is True
    assert not AuditLog.objects.exists()
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    outcome = actions.team_sync_members(team=team, slack_members=["U_LEAD"], actor=lead)
    assert outcome["gone"] == ["U_MEMBER"]


def test_a_slack_sync_marks_who_came_and_went_and_audits_the_list(db, staff_actor):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_ALICE")  # never synced: in_slack_group None
    MembershipFactory(team=team, slack_user_id="U_BOB", in_slack_group=False)
    outcome = actions.team_sync_members(
        team=team, slack_members=["U_BOB", "U_CAROL"], actor=staff_actor
    )
    assert outcome == {"added": ["U_CAROL"], "returned": ["U_BOB"], "gone": ["U_ALICE"]}
    rows = TeamMembership.objects.filter(team=team).values_list("slack_user_id", "in_slack_group")
    assert sorted(rows) == [("U_ALICE", False), ("U_BOB", True), ("U_CAROL", True)]
    row = only_audit_row()
    assert row.changes == {"members": {"old": ["U_ALICE", "U_BOB"], "new": ["U_BOB", "U_CAROL"]}}
    assert (row.actor_id, row.metadata["gone"]) == ("ops-admin", ["U_ALICE"])

    again = actions.team_sync_members(
        team=team, slack_members=["U_BOB", "U_CAROL"], actor=staff_actor
    )
    assert again == {"added": [], "returned": [], "gone": []}
    assert AuditLog.objects.count() == 1  # nothing changed: nothing written


def test_a_slack_sync_in_which_someone_only_comes_back_is_audited(db, staff_actor):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_BOB", in_slack_group=False)
    outcome = actions.team_sync_members(team=team, slack_members=["U_BOB"], actor=staff_actor)
    assert outcome == {"added": [], "returned": ["U_BOB"], "gone": []}
    assert TeamMembership.objects.get(slack_user_id="U_BOB").in_slack_group is True
    assert only_audit_row().metadata["returned"] == ["U_BOB"]


def test_a_slack_sync_of_one_team_counts_and_marks_only_its_own_members(db, staff_actor):
    payments, search = TeamFactory(), TeamFactory()
    for team in (payments, search):
        MembershipFactory(team=team, slack_user_id="U_BOB", in_slack_group=False)
        MembershipFactory(team=team, slack_user_id="U_CAROL", in_slack_group=True)
    MembershipFactory(team=payments, slack_user_id="U_DAVE", in_slack_group=True)
    outcome = actions.team_sync_members(
        team=search, slack_members=["U_BOB", "U_DAVE"], actor=staff_actor
    )
    assert outcome == {"added": ["U_DAVE"], "returned": ["U_BOB"], "gone": ["U_CAROL"]}
    in_group = TeamMembership.objects.values_list("team_id", "slack_user_id", "in_slack_group")
    assert sorted(in_group, key=lambda row: (row[0] == search.pk, row[1])) == [
        (payments.pk, "U_BOB", False),
        (payments.pk, "U_CAROL", True),
        (payments.pk, "U_DAVE", True),
        (search.pk, "U_BOB", True),
        (search.pk, "U_CAROL", False),
        (search.pk, "U_DAVE", True),
    ]


def test_unavailability_for_oneself(db):
    team = TeamFactory()
    me = Actor(id="U_ALICE", slack_user_id="U_ALICE")
    away = actions.unavailability_create(
        actor=me,
        slack_user_id="U_ALICE",
        team=team,
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 5),
        reason="Holiday",
    )
    row = only_audit_row()
    assert (row.actor_id, row.engineer_slack_id, row.team_id) == ("U_ALICE", "U_ALICE", team.pk)
    assert row.changes == {
        "end_date": {"old": None, "new": "2026-12-05"},
        "reason": {"old": None, "new": "Holiday"},
        "slack_user_id": {"old": None, "new": "U_ALICE"},
        "start_date": {"old": None, "new": "2026-12-01"},
        "team": {"old": None, "new": str(team.pk)},
    }
    with pytest.raises(Forbidden):
        actions.unavailability_create(
            actor=me,
            slack_user_id="U_BOB",
            team=team,
            start_date=datetime.date(2026, 12, 1),
            end_date=datetime.date(2026, 12, 5),
        )
    actions.unavailability_delete(unavailability=away, actor=me)
    deleted = AuditLog.objects.get(action="deleted")
    assert (deleted.actor_id, deleted.changes["start_date"]) == (
        "U_ALICE",
        {"old": "2026-12-01", "new": None},
    )
    assert (deleted.engineer_slack_id, deleted.team_id) == ("U_ALICE", team.pk)


def test_someone_without_a_slack_identity_records_nobodys_time_away(db):
    """Not staff and not linked to Slack: they are nobody's self, and lead no team."""
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_BOB")
    unlinked = Actor(id="web-7", source="page")
    dates = {"start_date": datetime.date(2026, 12, 1), "end_date": datetime.date(2026, 12, 5)}
    for where in (team, None):
        with pytest.raises(Forbidden):
            actions.unavailability_create(
                actor=unlinked, slack_user_id="U_BOB", team=where, **dates
            )
    away = UnavailabilityFactory(team=team, slack_user_id="U_BOB")
    with pytest.raises(Forbidden):
        actions.unavailability_delete(unavailability=away, actor=unlinked)
    assert Unavailability.objects.get().pk == away.pk and not AuditLog.objects.exists()


def test_time_away_from_every_team_for_someone_else_is_for_staff_only(db, staff_actor):
    """A lead re-plans their own team, not every team the person is in: someone else's time
    away from every team (adding or deleting it) is staff's to record."""
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_BOB")
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    dates = {"start_date": datetime.date(2026, 12, 1), "end_date": datetime.date(2026, 12, 5)}
    with pytest.raises(Forbidden, match=r"^Only staff may do this\.$"):
        actions.unavailability_create(actor=lead, slack_user_id="U_BOB", team=None, **dates)
    assert not Unavailability.objects.exists() and not AuditLog.objects.exists()
    away = actions.unavailability_create(
        actor=staff_actor, slack_user_id="U_BOB", team=None, **dates
    )
    with pytest.raises(Forbidden, match=r"^Only staff may do this\.$"):
        actions.unavailability_delete(unavailability=away, actor=lead)
    assert Unavailability.objects.filter(pk=away.pk).exists()
    assert AuditLog.objects.count() == 1


# --- time away re-plans the rotation -----------------------------------------------------------


def rotating_team(slug: str, members: list[str]) -> Team:
    """A weekly round robin that began the Monday two weeks ago, with auto schedules saved for
    the next four periods (the real clock: the actions read it)."""
    today = timezone.now().date()
    team = TeamFactory(
        slug=slug,
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=today - datetime.timedelta(days=today.weekday() + 14),
    )
    for n, uid in enumerate(members):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=datetime.date(2026, 1, 1 + n))
    rotation_generate(team=team, actor=None, periods=4)
    return team


def week_after_next(team: Team) -> datetime.date:
    monday = team.rotation_start_date + datetime.timedelta(days=14)
    return monday + datetime.timedelta(days=14)


def engineer_of_week(team: Team, monday: datetime.date) -> str:
    return Schedule.objects.get(team=team, origin="auto", start_date=monday).engineer_slack_id


def moved_dms() -> set[str]:
    return set(Notification.objects.filter(kind="shifts_moved").values_list("channel", flat=True))


def test_time_away_gives_the_period_to_someone_else_and_deleting_it_gives_it_back(db, staff_actor):
    team = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    monday = week_after_next(team)
    engineer = engineer_of_week(team, monday)
    Notification.objects.all().delete()

    away = actions.unavailability_create(
        actor=staff_actor,
        slack_user_id=engineer,
        team=team,
        start_date=monday,
        end_date=monday + datetime.timedelta(days=6),
        reason="Holiday",
    )

    stand_in = engineer_of_week(team, monday)
    assert stand_in != engineer
    assert moved_dms() == {engineer, stand_in}
    dm = Notification.objects.get(kind="shifts_moved", channel=engineer)
    sunday = monday + datetime.timedelta(days=6)
    assert f"no longer on call: {shown(monday)} to {shown(sunday)}" in dm.text

    Notification.objects.all().delete()
    actions.unavailability_delete(unavailability=away, actor=staff_actor)

    assert engineer_of_week(team, monday) == engineer
    assert engineer in moved_dms()


def test_time_away_from_every_team_replans_each_rotation_of_the_person(db, staff_actor):
    payments = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    search = rotating_team("search", ["U_CAROL", "U_BOB", "U_ALICE"])
    monday = week_after_next(payments)
    before = {t.slug: engineer_of_week(t, monday) for t in (payments, search)}
    assert before == {"payments": "U_BOB", "search": "U_BOB"}

    actions.unavailability_create(
        actor=staff_actor,
        slack_user_id="U_BOB",
        team=None,
        start_date=monday,
        end_date=monday + datetime.timedelta(days=6),
    )

    assert {t.slug: engineer_of_week(t, monday) for t in (payments, search)} == {
        "payments": "U_CAROL",
        "search": "U_ALICE",
    }
    assert {"U_BOB", "U_CAROL", "U_ALICE"} <= moved_dms()  # each team's stand-in is told
    # and Bob once for each team's shift he no longer takes
    assert Notification.objects.filter(kind="shifts_moved", channel="U_BOB").count() == 2


def test_time_away_from_every_team_leaves_a_deleted_teams_rotation_as_it_was(db, staff_actor):
    payments = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    archived = rotating_team("archived", ["U_ALICE", "U_BOB", "U_CAROL"])
    Team.objects.filter(pk=archived.pk).update(is_active=False)
    monday = week_after_next(payments)
    kept = list(
        Schedule.objects.filter(team=archived).values_list("start_date", "engineer_slack_id")
    )

    actions.unavailability_create(
        actor=staff_actor,
        slack_user_id="U_BOB",
        team=None,
        start_date=monday,
        end_date=monday + datetime.timedelta(days=6),
    )

    assert engineer_of_week(payments, monday) == "U_CAROL"
    assert engineer_of_week(archived, monday) == "U_BOB"
    assert (
        list(Schedule.objects.filter(team=archived).values_list("start_date", "engineer_slack_id"))
        == kept
    )


@pytest.mark.parametrize(
    "change",
    [
        {"is_eligible_for_oncall": False},
        {"in_slack_group": False},
        {"joined_at": "after the week"},
    ],
)
def test_a_member_change_that_moves_turns_replans_the_rotation(db, staff_actor, change):
    team = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    Team.objects.filter(pk=team.pk).update(slack_group_id="S_PAY")  # it counts who left it
    monday = week_after_next(team)
    assert engineer_of_week(team, monday) == "U_BOB"
    if "joined_at" in change:
        change = {"joined_at": monday + datetime.timedelta(days=7)}

    actions.membership_upsert(
        team=team, slack_user_id="U_BOB", actor=staff_actor, fields=MembershipFields(**change)
    )

    assert engineer_of_week(team, monday) != "U_BOB"
    assert "U_BOB" in moved_dms()


def test_a_weight_change_replans_a_weighted_rotation(db, staff_actor):
    team = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    Team.objects.filter(pk=team.pk).update(rotation_type="weighted")
    monday = week_after_next(team)
    assert engineer_of_week(team, monday) == "U_BOB"
    actions.membership_upsert(
        team=team, slack_user_id="U_ALICE", actor=staff_actor, fields=MembershipFields(weight=50)
    )
    assert engineer_of_week(team, monday) == "U_ALICE"


def test_a_slack_sync_that_drops_a_member_replans_the_rotation(db, staff_actor):
    team = rotating_team("payments", ["U_ALICE", "U_BOB", "U_CAROL"])
    Team.objects.filter(pk=team.pk).update(slack_group_id="S_PAY")
    monday = week_after_next(team)
    actions.team_sync_members(team=team, slack_members=["U_ALICE", "U_CAROL"], actor=staff_actor)
    assert engineer_of_week(team, monday) != "U_BOB"
    assert "U_BOB" in moved_dms()


# --- a deleted team ----------------------------------------------------------------------------


def test_a_deleted_team_refuses_writes_until_it_is_restored(db, staff_actor):
    team = TeamFactory(name="Payments", is_active=False)
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    writes = [
        lambda: actions.team_update(
            team=team, actor=staff_actor, changes=TeamFields(description="Back")
        ),
        lambda: actions.membership_upsert(team=team, slack_user_id="U_BOB", actor=staff_actor),
        lambda: actions.membership_remove(team=team, slack_user_id="U_ALICE", actor=staff_actor),
        lambda: actions.team_sync_members(team=team, slack_members=["U_C"], actor=staff_actor),
        lambda: actions.unavailability_create(
            actor=staff_actor,
            slack_user_id="U_ALICE",
            team=team,
            start_date=datetime.date(2026, 12, 14),
            end_date=datetime.date(2026, 12, 18),
        ),
    ]
    for write in writes:
        with pytest.raises(Conflict, match=r"^The team is deleted; restore it first\.$"):
            write()
    assert not AuditLog.objects.exists()
    assert list(TeamMembership.objects.values_list("slack_user_id", flat=True)) == ["U_ALICE"]

    actions.team_restore(team=team, actor=staff_actor)
    actions.team_update(team=team, actor=staff_actor, changes=TeamFields(description="Back"))
    team.refresh_from_db()
    assert (team.is_active, team.description) == (True, "Back")


def test_time_away_of_a_deleted_team_is_refused_but_away_from_every_team_is_not(db, staff_actor):
    team = TeamFactory(is_active=False)
    away = UnavailabilityFactory(team=team)
    with pytest.raises(Conflict):
        actions.unavailability_delete(unavailability=away, actor=staff_actor)
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    everywhere = actions.unavailability_create(
        actor=staff_actor,
        slack_user_id="U_ALICE",
        team=None,
        start_date=datetime.date(2026, 12, 14),
        end_date=datetime.date(2026, 12, 18),
    )
    assert everywhere.team is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("from_every_team", [False, True])
def test_time_away_removed_twice_at_once_is_removed_and_audited_once(from_every_team):
    """A double click on Remove: the second removal waits for the first to commit, then finds
    nothing to remove (a 404), and writes no second "deleted" entry."""
    away = UnavailabilityFactory(team=None if from_every_team else TeamFactory())
    me = Actor(id="U_ALICE", slack_user_id="U_ALICE")
    copy = Unavailability.objects.get()  # each removal with its own copy, as two requests have
    waited, [outcome] = second_write_while_first_holds(
        lambda: actions.unavailability_delete(unavailability=copy, actor=me),
        lambda: actions.unavailability_delete(unavailability=away, actor=me),
    )
    assert waited and isinstance(outcome, NotFound) and "removed already" in str(outcome)
    deleted = AuditLog.objects.filter(entity_type="unavailability", action="deleted")
    assert deleted.count() == 1 and not Unavailability.objects.exists()
