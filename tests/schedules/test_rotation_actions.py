import datetime
import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditLog
from oncall_project.base.errors import Conflict, InvalidInput
from oncall_project.base.outbox.models import Notification
from schedules import domain
from schedules.actions import (
    OverrideFields,
    ScheduleFields,
    override_request,
    rotation_config_update,
    rotation_generate,
    rotation_preview,
    schedule_create,
)
from schedules.models import Override, Schedule
from schedules.selectors import team_state
from teams.actions import (
    MembershipFields,
    RotationSettings,
    membership_remove,
    membership_upsert,
)
from teams.models import Team
from tests.factories import (
    BackupLineFactory,
    OverrideFactory,
    ScheduleFactory,
    UnavailabilityFactory,
)
from tests.locks import someone_waits_on_a_lock
from tests.page_support import shown
from tests.schedules.conftest import NOW

D = datetime.date
# A backup line handing off at 18:00: at NOW (noon) still on its 30 November turn.
BACKUP_DAILY = {
    "rotation_enabled": True,
    "rotation_interval": "daily",
    "handoff_time": datetime.time(18),
    "rotation_start_date": D(2026, 11, 30),
}


def run(change) -> str:
    """A run of days a shift change covers, as the messages write it."""
    same = change.start_date == change.end_date
    return (
        shown(change.start_date)
        if same
        else f"{shown(change.start_date)} to {shown(change.end_date)}"
    )


def everyone_away(team, start, end):
    """Alice, Bob and Carol, the whole rotation, away from `start` to `end`."""
    for engineer in ["U_ALICE", "U_BOB", "U_CAROL"]:
        UnavailabilityFactory(team=team, slack_user_id=engineer, start_date=start, end_date=end)


def reconfigure(team, actor, role="primary", **settings):
    """`rotation_config_update` of the `role` line at NOW."""
    return rotation_config_update(
        team=team, actor=actor, now=NOW, settings=RotationSettings(**settings), role=role
    )


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
    outcome = reconfigure(
        rotating_team,
        staff_actor,
        rotation_type="custom_order",
        rotation_order=["U_CAROL", "U_BOB", "U_ALICE"],
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
        reconfigure(rotating_team, staff_actor, rotation_interval="monthly")
    assert auto_rows(rotating_team) == before
    assert AuditLog.objects.count() == 1


def test_disabling_the_rotation_clears_future_auto_schedules(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    reconfigure(rotating_team, staff_actor, rotation_enabled=False)
    assert auto_rows(rotating_team) == [("U_ALICE", D(2026, 11, 30), D(2026, 12, 6))]


def test_removing_a_member_moves_their_future_shifts_and_tells_people(
    rotating_team, staff_actor, december_2026
):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    Notification.objects.all().delete()
    membership_remove(team=rotating_team, slack_user_id="U_BOB", actor=staff_actor)
    future = [row for row in auto_rows(rotating_team) if row[1] > D(2026, 12, 6)]
    assert future and all(engineer != "U_BOB" for engineer, _, _ in future)
    told = set(Notification.objects.filter(kind="shifts_moved").values_list("channel", flat=True))
    assert "U_BOB" in told


def test_a_display_name_change_does_not_replan(rotating_team, staff_actor):
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

    outcome = reconfigure(rotating_team, staff_actor, **change)

    assert outcome.impact.changed_periods == runs
    texts = " ".join(
        Notification.objects.filter(kind="shifts_moved").values_list("text", flat=True)
    )
    assert "Mon 4 Jan 2027 to Sun 10 Jan 2027" in texts and "to Tue 5 Jan 2027" not in texts


def test_generate_fills_a_gap_and_plans_the_turns_after_it_again(rotating_team, staff_actor):
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
    rotating_team.is_active = False
    rotating_team.save()
    with pytest.raises(Conflict, match=r"The team is deleted; restore it first\."):
        rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    with pytest.raises(Conflict, match="restore it first"):
        reconfigure(rotating_team, staff_actor, rotation_interval="daily")
    assert not Schedule.objects.exists() and not AuditLog.objects.exists()
    assert len(rotation_preview(team=rotating_team, periods=2, now=NOW).entries) == 2


@pytest.mark.parametrize("periods", [1, 104])
def test_a_plan_takes_from_one_to_104_periods(rotating_team, periods):
    assert len(rotation_preview(team=rotating_team, periods=periods, now=NOW).entries) == periods


@pytest.mark.parametrize(
    ("start", "refused"),
    [
        (D(2016, 12, 12), False),  # 3,642 days before today (1 December 2026)
        (NOW.date() - datetime.timedelta(days=3660), False),
        (NOW.date() - datetime.timedelta(days=3661), True),
        (D(2015, 11, 30), True),
        (NOW.date() + datetime.timedelta(days=3661), True),
    ],
)
def test_a_rotation_starts_within_ten_years_of_today(rotating_team, staff_actor, start, refused):
    """Replaying turns from further back is unbounded work: the start is refused, by a preview
    and by a change alike, though the date itself is in the calendar's window."""
    settings = RotationSettings(rotation_start_date=start)
    if not refused:
        rotation_preview(team=rotating_team, periods=1, now=NOW, settings=settings)
        rotation_config_update(team=rotating_team, actor=staff_actor, now=NOW, settings=settings)
        rotating_team.refresh_from_db()
        assert rotating_team.rotation_start_date == start
        return
    with pytest.raises(InvalidInput, match="within 10 years") as preview:
        rotation_preview(team=rotating_team, periods=1, now=NOW, settings=settings)
    with pytest.raises(InvalidInput, match="within 10 years") as update:
        rotation_config_update(team=rotating_team, actor=staff_actor, now=NOW, settings=settings)
    assert "rotation_start_date" in preview.value.errors
    assert "rotation_start_date" in update.value.errors
    rotating_team.refresh_from_db()
    assert rotating_team.rotation_start_date == D(2026, 11, 30)
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("years_ahead", [3660, 3661])
def test_a_preview_checks_the_start_by_the_date_a_save_checks_it_by(
    rotating_team, staff_actor, years_ahead
):
    """At NOW (1 December, noon UTC) Kiritimati's line is on its 2 December: a start 3,660 days
    after that is within reach for a save, so for the preview too, and 3,661 days for neither
    (the preview once counted from UTC's calendar date, a day behind)."""
    rotating_team.timezone, rotating_team.handoff_time = "Pacific/Kiritimati", datetime.time(1)
    rotating_team.save()
    start = D(2026, 12, 2) + datetime.timedelta(days=years_ahead)
    settings = RotationSettings(rotation_start_date=start)

    def refused(change) -> bool:
        try:
            change()
        except InvalidInput as exc:
            return "rotation_start_date" in exc.errors
        return False

    preview = refused(
        lambda: rotation_preview(team=rotating_team, periods=1, now=NOW, settings=settings)
    )
    save = refused(
        lambda: rotation_config_update(
            team=rotating_team, actor=staff_actor, now=NOW, settings=settings
        )
    )
    assert preview == save == (years_ahead > 3660)


def test_a_backup_line_reads_as_far_ahead_as_its_own_periods_reach(rotating_team, staff_actor):
    """A fortnightly backup line beside a daily primary: 52 of its periods reach two years out,
    52 of the primary's not two months. Read by the primary's, a backup schedule 17 months
    out is not seen: the plan books the backup over it, and tells Dave he gained it."""
    Team.objects.filter(pk=rotating_team.pk).update(
        rotation_interval="daily", rotation_type="custom_order", rotation_order=["U_ALICE"]
    )
    rotating_team.refresh_from_db()
    manual = ScheduleFactory(
        team=rotating_team,
        role="backup",
        engineer_slack_id="U_DAVE",
        start_date=D(2028, 5, 1),
        end_date=D(2028, 5, 7),
    )
    backup = {
        "rotation_enabled": True,
        "rotation_interval": "biweekly",
        "handoff_day": 0,
        "rotation_start_date": D(2026, 11, 30),
    }
    reconfigure(rotating_team, staff_actor, **backup, role="backup")

    outcome = rotation_generate(
        team=rotating_team, actor=staff_actor, periods=52, now=NOW, role="backup"
    )

    # the periods saved were the rotation's answer already: nobody's shift moved
    assert outcome.created and outcome.impact.affected == ()
    rows = Schedule.objects.filter(team=rotating_team, role="backup", origin="auto")
    assert rows.filter(start_date__gt=manual.end_date).exists()
    for row in rows:
        assert row.end_date < manual.start_date or row.start_date > manual.end_date, row


def test_auto_schedules_name_who_made_them(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=2, now=NOW)
    rotation_config_update(
        team=rotating_team,
        actor=None,
        now=NOW,
        settings=RotationSettings(
            rotation_type="custom_order", rotation_order=["U_CAROL", "U_BOB", "U_ALICE"]
        ),
    )
    made = Schedule.objects.filter(team=rotating_team, origin="auto").order_by("start_date")
    by = list(made.values_list("start_date", "created_by"))
    assert by[0] == (D(2026, 11, 30), "ops-admin")  # the current period, kept
    assert len(by) > 2 and {who for _, who in by[1:]} == {"system"}


def test_a_change_tells_whose_shifts_move_as_far_as_the_auto_schedules_already_booked(
    rotating_team, staff_actor
):
    """Eight weeks were generated, the lookahead is four: the change plans all eight again,
    so the people whose weeks five to eight move are told too."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=8, now=NOW)
    change = RotationSettings(
        rotation_type="custom_order", rotation_order=["U_CAROL", "U_BOB", "U_ALICE"]
    )
    preview = rotation_preview(team=rotating_team, periods=4, now=NOW, settings=change)

    outcome = rotation_config_update(
        team=rotating_team, actor=staff_actor, now=NOW, settings=change
    )

    # the last booked week, 18 to 24 January, moves from Bob to Carol
    for impact in (preview.impact, outcome.impact):
        assert max(c.end_date for c in impact.changed_periods) == D(2027, 1, 24)
    assert [(c.start_date, c.end_date) for c in outcome.impact.gains["U_CAROL"]][-1] == (
        D(2027, 1, 18),
        D(2027, 1, 24),
    )
    texts = Notification.objects.filter(kind="shifts_moved").values_list("text", flat=True)
    assert any("Mon 18 Jan 2027 to Sun 24 Jan 2027" in text for text in texts)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_generates_at_once_book_each_period_once(rotating_team, staff_actor):
    """The second waits on the team's lock for the first to commit, then finds the periods
    booked: without the lock each would plan from what it saw and both would save them."""
    second = []

    def generate_too() -> None:
        try:
            second.append(
                rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
            )
        finally:
            connection.close()

    racing = threading.Thread(target=generate_too)
    with transaction.atomic():
        first = rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
        racing.start()
        waited = someone_waits_on_a_lock()  # the second generate, on the first's team lock
    racing.join(timeout=30)
    assert waited
    assert (first.created, [o.created for o in second]) == (4, [0])
    assert len(auto_rows(rotating_team)) == 4


def test_a_preview_lists_the_periods_asked_for_though_more_are_booked(rotating_team, staff_actor):
    rotation_generate(team=rotating_team, actor=staff_actor, periods=8, now=NOW)
    change = RotationSettings(
        rotation_type="custom_order", rotation_order=["U_CAROL", "U_BOB", "U_ALICE"]
    )
    for settings in (None, change):
        preview = rotation_preview(team=rotating_team, periods=3, now=NOW, settings=settings)
        assert [e.start_date for e in preview.entries] == [
            D(2026, 11, 30),
            D(2026, 12, 7),
            D(2026, 12, 14),
        ]


def test_a_preview_warns_about_the_people_of_the_order_tried_not_the_saved_one(rotating_team):
    """Bob is not eligible: the round robin saved would pass him over, the custom order tried
    does not name him."""
    rotating_team.memberships.filter(slack_user_id="U_BOB").update(is_eligible_for_oncall=False)
    tried = RotationSettings(rotation_type="custom_order", rotation_order=["U_ALICE", "U_CAROL"])

    saved = rotation_preview(team=rotating_team, periods=4, now=NOW)
    preview = rotation_preview(team=rotating_team, periods=4, now=NOW, settings=tried)

    assert any("(U_BOB) is not eligible" in w for w in saved.warnings)
    assert preview.warnings == ()


def test_generate_is_audited_with_what_it_saved_the_periods_and_the_line(
    rotating_team, staff_actor
):
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    Schedule.objects.filter(team=rotating_team).delete()
    AuditLog.objects.all().delete()

    outcome = rotation_generate(
        team=rotating_team, actor=staff_actor, periods=3, now=NOW, role="backup"
    )

    entry = AuditLog.objects.get()
    assert (entry.entity_type, entry.action, entry.actor_id) == (
        "rotation_config",
        "generated",
        "ops-admin",
    )
    assert outcome.created == 3
    assert entry.changes == {"auto_schedules": {"old": None, "new": 3}}
    assert entry.metadata["periods"] == 3 and entry.metadata["role"] == "backup"


def test_a_backup_line_generates_from_its_own_on_call_day(rotating_team, staff_actor):
    """At noon the backup, handing off at 18:00, is still on its 30 November turn, though the
    primary, handing off at 9:00, is on 1 December's."""
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    Schedule.objects.filter(team=rotating_team, role="backup").delete()

    outcome = rotation_generate(
        team=rotating_team, actor=staff_actor, periods=2, now=NOW, role="backup"
    )

    assert [e.start_date for e in outcome.entries] == [D(2026, 11, 30), D(2026, 12, 1)]


def test_the_people_a_backup_change_moves_are_told_it_is_the_backup(rotating_team, staff_actor):
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    Notification.objects.all().delete()
    reconfigure(
        rotating_team, staff_actor, rotation_interval="weekly", handoff_day=0, role="backup"
    )
    texts = list(Notification.objects.filter(kind="shifts_moved").values_list("text", flat=True))
    assert texts and all("Payments*'s backup rotation moved your backup" in t for t in texts)


@pytest.mark.parametrize(
    ("change", "cleared"),
    [
        ({"handoff_day": 2}, True),
        ({"handoff_time": datetime.time(10)}, True),
        ({"lookahead_periods": 6}, False),
    ],
)
def test_a_new_handoff_day_or_time_leaves_the_next_handoff_to_be_worked_out_again(
    rotating_team, staff_actor, change, cleared
):
    due = datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)
    Team.objects.filter(pk=rotating_team.pk).update(next_handoff_at=due)

    reconfigure(rotating_team, staff_actor, **change)

    rotating_team.refresh_from_db()
    assert rotating_team.next_handoff_at == (None if cleared else due)


def bobs_backup_turns_after_1_december(team, actor):
    """A daily backup line turned on at NOW: Bob's auto turns on it after 1 December (some),
    with the notifications of turning it on cleared."""
    reconfigure(team, actor, **BACKUP_DAILY, role="backup")
    later = Schedule.objects.filter(
        team=team,
        role="backup",
        origin="auto",
        engineer_slack_id="U_BOB",
        start_date__gt=D(2026, 12, 1),
    )
    assert later.exists()
    Notification.objects.all().delete()
    return later


def test_removing_a_member_moves_their_backup_shifts_too(rotating_team, staff_actor, december_2026):
    later = bobs_backup_turns_after_1_december(rotating_team, staff_actor)

    membership_remove(team=rotating_team, slack_user_id="U_BOB", actor=staff_actor)

    assert not later.exists()
    # measured against the backup as it was: up to the period after the booked ones, which
    # only the rotation answers (and, without Bob, would not give him)
    told = Notification.objects.filter(kind="shifts_moved", text__contains="backup rotation")
    assert told.get(channel="U_BOB").text.endswith(
        "You are no longer on call: Wed 2 Dec 2026, Fri 4 Dec 2026."
    )


def test_a_member_no_longer_eligible_for_the_backup_leaves_its_turns_and_is_told(
    rotating_team, staff_actor, december_2026
):
    later = bobs_backup_turns_after_1_december(rotating_team, staff_actor)

    membership_upsert(
        team=rotating_team,
        slack_user_id="U_BOB",
        actor=staff_actor,
        fields=MembershipFields(is_eligible_for_backup=False),
    )

    assert not later.exists()
    told = Notification.objects.filter(kind="shifts_moved", text__contains="backup rotation")
    assert "You are no longer on call" in told.get(channel="U_BOB").text


def test_generating_the_primary_replans_the_backup_clear_of_its_new_days(
    rotating_team, staff_actor
):
    """Bob is away the week of 7 December and its primary schedule is gone: generate gives it
    to Carol, so the backup, planned while Bob held it, is planned again without her."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, lookahead_periods=14, role="backup")
    week = {"start_date": D(2026, 12, 7), "end_date": D(2026, 12, 13)}
    Schedule.objects.filter(team=rotating_team, role="primary", **week).delete()
    UnavailabilityFactory(team=rotating_team, slack_user_id="U_BOB", **week)

    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)

    def on(role):
        return set(
            Schedule.objects.filter(
                team=rotating_team,
                role=role,
                start_date__lte=week["end_date"],
                end_date__gte=week["start_date"],
            ).values_list("engineer_slack_id", flat=True)
        )

    assert on("primary") == {"U_CAROL"}
    assert on("backup") == {"U_ALICE"}


def test_a_primary_schedule_replans_the_backup_clear_of_it(
    rotating_team, staff_actor, december_2026
):
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    backup = Schedule.objects.filter(team=rotating_team, role="backup", origin="auto")
    day = backup.filter(start_date__gt=D(2026, 12, 1)).earliest("start_date")
    covering = day.engineer_slack_id
    Notification.objects.all().delete()

    schedule_create(
        team=rotating_team,
        actor=staff_actor,
        fields=ScheduleFields(
            engineer_slack_id=covering, start_date=day.start_date, end_date=day.end_date
        ),
    )

    assert not backup.filter(engineer_slack_id=covering, start_date=day.start_date).exists()
    told = Notification.objects.filter(kind="shifts_moved", channel=covering)
    assert any("backup rotation" in text for text in told.values_list("text", flat=True))


def test_turning_a_backup_line_on_plans_from_its_own_on_call_day(rotating_team, staff_actor):
    """Before the change the backup line (not yet set up) would hand off at 9:00; after it, at
    18:00: at noon it plans from the day its new handoff time makes today, 30 November."""
    outcome = reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    assert outcome.entries[0].start_date == D(2026, 11, 30)
    entry = AuditLog.objects.get(action="updated")
    assert (entry.entity_type, entry.actor_id, entry.metadata["role"]) == (
        "rotation_config",
        "ops-admin",
        "backup",
    )
    assert entry.changes["handoff_time"] == {"old": "09:00:00", "new": "18:00:00"}


def test_a_custom_order_switched_off_may_be_left_empty(rotating_team, staff_actor):
    Team.objects.filter(pk=rotating_team.pk).update(
        rotation_type="custom_order", rotation_order=["U_ALICE", "U_BOB"]
    )
    reconfigure(rotating_team, staff_actor, rotation_enabled=False, rotation_order=[])
    rotating_team.refresh_from_db()
    assert (rotating_team.rotation_enabled, rotating_team.rotation_order) == (False, [])
    with pytest.raises(InvalidInput, match="at least one person"):
        reconfigure(rotating_team, staff_actor, rotation_enabled=True)


def test_a_primary_change_tells_the_backups_moved_against_the_backup_as_it_was(
    rotating_team, staff_actor
):
    """Carol and Bob swap primary weeks, so their backup days swap too, up to the period after
    the booked ones, which only the rotation answers: compared with the backup as it plans
    after the change, that last one would seem not to move."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, lookahead_periods=10, role="backup")
    Notification.objects.all().delete()

    reconfigure(
        rotating_team,
        staff_actor,
        rotation_type="custom_order",
        rotation_order=["U_CAROL", "U_BOB", "U_ALICE"],
    )

    told = Notification.objects.filter(kind="shifts_moved", text__contains="backup rotation")
    texts = dict(told.values_list("channel", "text"))
    days = "Sun 6 Dec 2026, Wed 9 Dec 2026, Fri 11 Dec 2026."
    assert texts.keys() == {"U_BOB", "U_CAROL"}
    assert texts["U_BOB"].endswith(f"You are now on call: {days}")
    assert texts["U_CAROL"].endswith(f"You are no longer on call: {days}")


def test_an_override_on_the_backup_line_replans_no_line(rotating_team, staff_actor, december_2026):
    """Only a change to the primary's days moves the backup's turns: Bob covering Carol's
    backup day leaves the booked turns as they are, and tells nobody their shifts moved."""
    Team.objects.filter(pk=rotating_team.pk).update(overrides_require_approval=False)
    rotating_team.refresh_from_db()
    reconfigure(rotating_team, staff_actor, **BACKUP_DAILY, role="backup")
    booked = set(Schedule.objects.values_list("pk", flat=True))
    Notification.objects.all().delete()
    carols = Schedule.objects.get(role="backup", start_date=D(2026, 12, 3))
    assert carols.engineer_slack_id == "U_CAROL"

    override_request(
        team=rotating_team,
        actor=staff_actor,
        role="backup",
        fields=OverrideFields(
            engineer_slack_id="U_BOB",
            replaces_slack_id="U_CAROL",
            start_date=D(2026, 12, 3),
            end_date=D(2026, 12, 3),
        ),
    )

    assert set(Schedule.objects.values_list("pk", flat=True)) == booked
    assert not Notification.objects.filter(kind="shifts_moved").exists()


@pytest.mark.parametrize("order", [[5], {"U_ALICE": 1}, ["U_ALICE", None]])
def test_a_rotation_order_is_a_list_of_slack_ids_or_refused(rotating_team, staff_actor, order):
    with pytest.raises(InvalidInput) as refused:
        reconfigure(rotating_team, staff_actor, rotation_type="custom_order", rotation_order=order)
    assert refused.value.errors["rotation_order"] == ["A list of Slack user ids."]
    rotating_team.refresh_from_db()
    assert (rotating_team.rotation_type, rotating_team.rotation_order) == ("round_robin", [])


def test_a_longer_lookahead_moves_nobody_past_a_year_ahead(rotating_team, staff_actor):
    """Seventy weeks booked, a manual week in January 2028: raising the lookahead from four to
    twelve re-plans them all and changes nobody's days. The line as it was is read as far as
    the new plan reaches, so the manual week is not taken for a turn that moved."""
    manual = {"engineer_slack_id": "U_CAROL", "origin": "manual"}
    ScheduleFactory(
        team=rotating_team, start_date=D(2028, 1, 24), end_date=D(2028, 1, 30), **manual
    )
    rotation_generate(team=rotating_team, actor=staff_actor, periods=70, now=NOW)
    Notification.objects.all().delete()

    outcome = reconfigure(rotating_team, staff_actor, lookahead_periods=12)

    assert outcome.impact.changed_periods == ()
    assert not Notification.objects.filter(kind="shifts_moved").exists()


def test_someone_who_both_gains_and_loses_days_is_told_both(rotating_team, staff_actor):
    outcome = reconfigure(
        rotating_team,
        staff_actor,
        rotation_type="custom_order",
        rotation_order=["U_CAROL", "U_BOB", "U_ALICE"],
    )
    both = set(outcome.impact.gains) & set(outcome.impact.losses)
    assert both  # the new order moves someone both ways
    for engineer in both:
        text = Notification.objects.get(kind="shifts_moved", channel=engineer).text
        gained = outcome.impact.gains[engineer][0]
        lost = outcome.impact.losses[engineer][0]
        assert f"You are now on call: {run(gained)}" in text
        assert f"You are no longer on call: {run(lost)}" in text


def test_a_preview_gives_each_period_to_whom_it_is_on_call_once_saved(rotating_team, staff_actor):
    """Weekly to daily on a Tuesday: Alice's running week (booked before) stays hers to Sunday,
    and Carol's approved override holds the 8th. The preview says so, period by period, as the
    team resolves once the change is saved; not the daily turns those days leave unused."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    OverrideFactory(
        team=rotating_team,
        engineer_slack_id="U_CAROL",
        start_date=D(2026, 12, 8),
        end_date=D(2026, 12, 8),
        status="approved",
    )
    daily = RotationSettings(rotation_interval="daily")
    preview = rotation_preview(team=rotating_team, periods=10, now=NOW, settings=daily)

    reconfigure(rotating_team, staff_actor, rotation_interval="daily")

    team = Team.objects.get(pk=rotating_team.pk)
    on_call = domain.resolve_range(
        team_state(team, D(2026, 12, 1), D(2026, 12, 10)), D(2026, 12, 1), D(2026, 12, 10)
    )
    assert [(p.start_date, p.end_date, p.engineer) for p in preview.entries] == [
        (a.on_call_date, a.on_call_date, a.engineer) for a in on_call
    ]
    assert {p.engineer for p in preview.entries[:6]} == {"U_ALICE"}
    assert preview.entries[7].engineer == "U_CAROL"


def test_a_preview_gives_a_period_to_whoever_holds_it_whole_and_a_split_one_to_its_turn(
    rotating_team, staff_actor
):
    """Bob's week of 7 December is held by Carol's override to Wednesday and Alice's from
    Thursday: nobody holds it whole, so the preview shows Bob's turn, not one of theirs. Carol's
    week, which Bob's override holds whole, is Bob's; Alice's of the 21st, which a manual
    schedule gives Carol whole, is Carol's."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    for engineer, start, end in [
        ("U_CAROL", D(2026, 12, 7), D(2026, 12, 9)),
        ("U_ALICE", D(2026, 12, 10), D(2026, 12, 13)),
        ("U_BOB", D(2026, 12, 14), D(2026, 12, 20)),
    ]:
        OverrideFactory(
            team=rotating_team,
            engineer_slack_id=engineer,
            start_date=start,
            end_date=end,
            status="approved",
        )
    ScheduleFactory(
        team=rotating_team,
        engineer_slack_id="U_CAROL",
        start_date=D(2026, 12, 21),
        end_date=D(2026, 12, 27),
    )
    preview = rotation_preview(team=rotating_team, periods=4, now=NOW)
    assert [(p.start_date, p.engineer) for p in preview.entries] == [
        (D(2026, 11, 30), "U_ALICE"),
        (D(2026, 12, 7), "U_BOB"),
        (D(2026, 12, 14), "U_BOB"),
        (D(2026, 12, 21), "U_CAROL"),
    ]


def test_a_preview_warns_of_absences_and_unfilled_turns_in_every_period_it_lists(rotating_team):
    """Everyone is away the week of 14 December, the third period: a three-period preview
    warns of each absence and of the turn nobody can take, not only of its first period."""
    everyone_away(rotating_team, D(2026, 12, 14), D(2026, 12, 20))
    preview = rotation_preview(team=rotating_team, periods=3, now=NOW)
    week = f"{shown(D(2026, 12, 14))} to {shown(D(2026, 12, 20))}"
    assert preview.entries[2].engineer is None
    assert preview.warnings[0].startswith(f"Nobody can take the turn {week}:")
    away = f"(U_BOB) is away {week}: the rotation skips them on those days."
    assert any(w.endswith(away) for w in preview.warnings)


def test_a_preview_leaves_a_period_the_default_engineer_covers_to_its_turn(rotating_team):
    """Nobody can take the week of 14 December: the default engineer covers it, by their own
    override on its first day. They hold it, but not by a schedule or override every day: the
    preview shows the turn nobody takes, as the rotation leaves it."""
    everyone_away(rotating_team, D(2026, 12, 14), D(2026, 12, 20))
    Team.objects.filter(pk=rotating_team.pk).update(oncall_engineer="U_DAVE")
    OverrideFactory(
        team=rotating_team,
        engineer_slack_id="U_DAVE",
        start_date=D(2026, 12, 14),
        end_date=D(2026, 12, 14),
        status="approved",
    )
    team = Team.objects.get(pk=rotating_team.pk)
    preview = rotation_preview(team=team, periods=3, now=NOW)
    assert preview.entries[2].engineer is None


def test_a_preview_of_a_later_handoff_starts_on_the_day_that_handoff_makes_today(rotating_team):
    """At noon on 1 December, a 13:00 handoff tried keeps 30 November's turn running: the
    preview's first daily turn is that day's, as saving the settings would count it."""
    tried = RotationSettings(rotation_interval="daily", handoff_time=datetime.time(13))
    preview = rotation_preview(team=rotating_team, periods=2, now=NOW, settings=tried)
    assert [p.start_date for p in preview.entries] == [D(2026, 11, 30), D(2026, 12, 1)]


def test_a_preview_of_a_shorter_interval_compares_only_the_periods_it_lists(rotating_team):
    """Two daily turns tried on a weekly rotation: the change is compared as far as the daily
    re-plan books (its four-turn lookahead, to 4 December), not over the two weeks two periods
    of the saved settings span."""
    daily = RotationSettings(rotation_interval="daily")
    preview = rotation_preview(team=rotating_team, periods=2, now=NOW, settings=daily)
    last = D(2026, 12, 4)
    changes = [c for side in (preview.impact.gains, preview.impact.losses) for c in side.values()]
    assert changes and all(c.end_date <= last for runs in changes for c in runs)


def test_generate_says_why_turns_go_to_nobody(rotating_team, staff_actor):
    everyone_away(rotating_team, D(2026, 12, 14), D(2026, 12, 20))
    outcome = rotation_generate(team=rotating_team, actor=staff_actor, periods=3, now=NOW)
    week = f"{shown(D(2026, 12, 14))} to {shown(D(2026, 12, 20))}"
    assert outcome.unfilled.startswith(f"Nobody can take the turn {week}:")


def test_only_a_preview_of_other_primary_settings_says_what_they_leave_the_backup_line(
    rotating_team,
):
    """The backup line hands off on Wednesdays, fortnightly: each of its periods takes in
    every primary week's engineer, so it has turns nobody can take whatever the primary does.
    A preview of other primary settings says so, as saving them does; a preview of the
    settings as they are (what generate would do) is about the primary alone."""
    BackupLineFactory(
        team=rotating_team,
        rotation_enabled=True,
        rotation_interval="biweekly",
        handoff_day=2,
        rotation_start_date=D(2026, 11, 25),
    )
    backup = "Backup line: "
    same = rotation_preview(team=rotating_team, periods=4, now=NOW)
    assert not [w for w in same.warnings if w.startswith(backup)]
    tried = RotationSettings(lookahead_periods=5)
    other = rotation_preview(team=rotating_team, periods=4, now=NOW, settings=tried)
    assert [w for w in other.warnings if w.startswith(backup)]


def test_a_running_turn_kept_for_its_engineer_is_not_one_nobody_can_take(
    rotating_team, staff_actor
):
    """Everyone is away two days of the running week, which Alice's auto schedule keeps: it is
    hers, so the preview warns of the absences but not of a turn nobody can take."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    everyone_away(rotating_team, D(2026, 12, 2), D(2026, 12, 3))
    preview = rotation_preview(team=rotating_team, periods=2, now=NOW)
    assert preview.entries[0].engineer == "U_ALICE"
    assert preview.warnings and not any(w.startswith("Nobody") for w in preview.warnings)
