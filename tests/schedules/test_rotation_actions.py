import datetime

import pytest

from audit.models import AuditLog
from oncall_project.base.errors import InvalidInput
from oncall_project.base.outbox.models import Notification
from schedules.actions import rotation_config_update, rotation_generate, rotation_preview
from schedules.models import Override, Schedule
from teams.actions import MembershipFields, RotationSettings
from tests.factories import OverrideFactory, ScheduleFactory
from tests.schedules.conftest import NOW

D = datetime.date


def auto_rows(team):
    return list(
        Schedule.objects.filter(team=team, origin="auto")
        .order_by("start_date")
        .values_list("engineer_slack_id", "start_date", "end_date")
    )


def test_generate_saves_round_robin_auto_schedules(rotating_team, staff_actor):
    outcome = rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    assert [e.engineer for e in outcome.entries] == ["U_ALICE", "U_BOB", "U_CAROL", "U_ALICE"]
    assert auto_rows(rotating_team) == [
        ("U_ALICE", D(2026, 11, 30), D(2026, 12, 6)),
        ("U_BOB", D(2026, 12, 7), D(2026, 12, 13)),
        ("U_CAROL", D(2026, 12, 14), D(2026, 12, 20)),
        ("U_ALICE", D(2026, 12, 21), D(2026, 12, 27)),
    ]
    assert outcome.created == 4
    assert AuditLog.objects.get().action == "generated"


def test_generate_twice_adds_nothing(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    again = rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    assert again.created == 0 and len(auto_rows(rotating_team)) == 4


def test_generate_never_double_books_a_manual_schedule(rotating_team, staff_actor):
    ScheduleFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 10),
    )
    rotation_generate(team=rotating_team, actor=staff_actor, periods=3, now=NOW)
    rows = auto_rows(rotating_team)
    assert all(not (start <= D(2026, 12, 10) and end >= D(2026, 12, 7)) for _, start, end in rows)
    assert ("U_BOB", D(2026, 12, 11), D(2026, 12, 13)) in rows


def test_preview_answers_like_generate_and_saves_nothing(rotating_team):
    preview = rotation_preview(team=rotating_team, periods=4, now=NOW)
    assert [e.engineer for e in preview.entries] == ["U_ALICE", "U_BOB", "U_CAROL", "U_ALICE"]
    # the rotation layer already answers for periods not yet materialised: generating them
    # moves nobody's shift
    assert preview.impact.affected == ()
    assert not Schedule.objects.exists() and not AuditLog.objects.exists()


def test_preview_of_a_config_change_shows_the_impact(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    preview = rotation_preview(
        team=rotating_team,
        periods=4,
        now=NOW,
        settings=RotationSettings(
            **{
                "rotation_type": "custom_order",
                "rotation_order": ["U_CAROL", "U_BOB", "U_ALICE"],
            }
        ),
    )
    assert preview.impact.affected  # someone's future shifts move
    assert len(auto_rows(rotating_team)) == 4  # nothing saved
    rotating_team.refresh_from_db()
    assert rotating_team.rotation_type == "round_robin"


@pytest.mark.parametrize("periods", [0, 105, "4", None, True])
def test_bad_period_counts_are_refused(rotating_team, staff_actor, periods):
    with pytest.raises(InvalidInput):
        rotation_generate(team=rotating_team, actor=staff_actor, periods=periods, now=NOW)
    assert not Schedule.objects.exists()


def test_config_update_regenerates_only_future_auto_schedules(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    manual = ScheduleFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        start_date=D(2027, 1, 4),
        end_date=D(2027, 1, 10),
    )
    override = OverrideFactory(
        team=rotating_team, status="approved", start_date=D(2026, 12, 15), end_date=D(2026, 12, 16)
    )
    AuditLog.objects.all().delete()
    outcome = rotation_config_update(
        team=rotating_team,
        actor=staff_actor,
        now=NOW,
        settings=RotationSettings(
            rotation_type="custom_order", rotation_order=["U_CAROL", "U_BOB", "U_ALICE"]
        ),
    )
    rows = auto_rows(rotating_team)
    assert rows[0] == ("U_ALICE", D(2026, 11, 30), D(2026, 12, 6))  # the current period stays
    # Bob, Carol, Alice become Carol, Bob (around the override), Alice: Alice's is kept.
    assert (outcome.deleted, outcome.created) == (2, 3)
    assert rows[1:] == [
        ("U_CAROL", D(2026, 12, 7), D(2026, 12, 13)),
        ("U_BOB", D(2026, 12, 14), D(2026, 12, 14)),
        ("U_BOB", D(2026, 12, 17), D(2026, 12, 20)),
        ("U_ALICE", D(2026, 12, 21), D(2026, 12, 27)),
    ]
    assert Schedule.objects.filter(pk=manual.pk, engineer_slack_id="U_DAVE").exists()
    assert Override.objects.filter(pk=override.pk, status="approved").exists()
    row = AuditLog.objects.get()
    assert (row.entity_type, row.action) == ("rotation_config", "updated")
    assert row.changes["rotation_type"] == {"old": "round_robin", "new": "custom_order"}
    assert row.metadata["affected"] == list(outcome.impact.affected)
    dms = set(Notification.objects.filter(kind="shifts_moved").values_list("channel", flat=True))
    assert dms == set(outcome.impact.affected)


def test_config_update_with_bad_values_changes_nothing(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=2, now=NOW)
    before = auto_rows(rotating_team)
    with pytest.raises(InvalidInput):
        rotation_config_update(
            team=rotating_team,
            actor=staff_actor,
            now=NOW,
            settings=RotationSettings(rotation_interval="monthly"),
        )
    assert auto_rows(rotating_team) == before
    assert AuditLog.objects.count() == 1


def test_disabling_the_rotation_clears_future_auto_schedules(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    rotation_config_update(
        team=rotating_team,
        actor=staff_actor,
        now=NOW,
        settings=RotationSettings(rotation_enabled=False),
    )
    assert auto_rows(rotating_team) == [("U_ALICE", D(2026, 11, 30), D(2026, 12, 6))]


def test_removing_a_member_moves_their_future_shifts_and_tells_people(
    rotating_team, staff_actor, december_2026
):
    from teams.actions import membership_remove

    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    Notification.objects.all().delete()
    membership_remove(team=rotating_team, slack_user_id="U_BOB", actor=staff_actor)
    future = [row for row in auto_rows(rotating_team) if row[1] > D(2026, 12, 6)]
    assert future and all(engineer != "U_BOB" for engineer, _, _ in future)
    told = set(Notification.objects.filter(kind="shifts_moved").values_list("channel", flat=True))
    assert "U_BOB" in told


def test_a_display_name_change_does_not_replan(rotating_team, staff_actor):
    from teams.actions import membership_upsert

    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    before = auto_rows(rotating_team)
    ids = set(Schedule.objects.values_list("pk", flat=True))
    membership_upsert(
        team=rotating_team,
        slack_user_id="U_BOB",
        actor=staff_actor,
        fields=MembershipFields(display_name="Bobby"),
    )
    assert auto_rows(rotating_team) == before
    assert set(Schedule.objects.values_list("pk", flat=True)) == ids


def test_the_impact_runs_to_the_end_of_the_last_period_and_so_do_the_dms(
    rotating_team, staff_actor
):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    change = {"rotation_type": "custom_order", "rotation_order": ["U_CAROL", "U_BOB", "U_ALICE"]}
    preview = rotation_preview(
        team=rotating_team, periods=4, now=NOW, settings=RotationSettings(**change)
    )
    runs = preview.impact.changed_periods
    # Weekly from Monday: every run of moved days is whole weeks, the last one too.
    assert runs and all(c.start_date.weekday() == 0 and c.end_date.weekday() == 6 for c in runs)
    assert max(c.end_date for c in runs) == D(2027, 1, 10)

    outcome = rotation_config_update(
        team=rotating_team, actor=staff_actor, now=NOW, settings=RotationSettings(**change)
    )

    assert outcome.impact.changed_periods == runs
    texts = " ".join(
        Notification.objects.filter(kind="shifts_moved").values_list("text", flat=True)
    )
    assert "2027-01-04 to 2027-01-10" in texts and "to 2027-01-05" not in texts


def test_generate_fills_a_gap_and_plans_the_turns_after_it_again(rotating_team, staff_actor):
    from tests.factories import UnavailabilityFactory

    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    Schedule.objects.filter(team=rotating_team, start_date=D(2026, 12, 7)).delete()
    ScheduleFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 8),
    )
    UnavailabilityFactory(
        team=rotating_team,
        slack_user_id="U_BOB",
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 13),
    )
    preview = rotation_preview(team=rotating_team, periods=4, now=NOW)

    outcome = rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)

    assert (outcome.entries, outcome.impact) == (preview.entries, preview.impact)
    assert [e.engineer for e in outcome.entries] == ["U_ALICE", "U_CAROL", "U_BOB", "U_ALICE"]
    assert auto_rows(rotating_team) == [
        ("U_ALICE", D(2026, 11, 30), D(2026, 12, 6)),
        ("U_CAROL", D(2026, 12, 9), D(2026, 12, 13)),
        ("U_BOB", D(2026, 12, 14), D(2026, 12, 20)),
        ("U_ALICE", D(2026, 12, 21), D(2026, 12, 27)),
    ]
    assert (outcome.created, outcome.deleted) == (2, 1)
    entry = AuditLog.objects.filter(action="generated").latest("created_at")
    assert entry.metadata["auto_schedules"] == {"deleted": 1, "created": 2}
    assert entry.metadata["affected"] == ["U_BOB", "U_CAROL"]


def test_a_deleted_team_takes_no_rotation_change_but_still_previews(rotating_team, staff_actor):
    from oncall_project.base.errors import Conflict

    rotating_team.is_active = False
    rotating_team.save()
    with pytest.raises(Conflict, match=r"The team is deleted; restore it first\."):
        rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    with pytest.raises(Conflict, match="restore it first"):
        rotation_config_update(
            team=rotating_team,
            actor=staff_actor,
            now=NOW,
            settings=RotationSettings(rotation_interval="daily"),
        )
    assert not Schedule.objects.exists() and not AuditLog.objects.exists()
    assert len(rotation_preview(team=rotating_team, periods=2, now=NOW).entries) == 2
