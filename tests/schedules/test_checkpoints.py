"""The rotation checkpoint kept on each line's row: the handoff makes it, lookups load a rotation
years old from it (a year of spans, not all of them) and answer exactly as a load from the
start; one made for other settings is passed over, and a write dated before it drops it."""

import datetime

import pytest
from django.utils import timezone

from schedules import domain, lines, selectors
from schedules.actions import (
    OverrideFields,
    ScheduleFields,
    handoff_process,
    override_decide,
    override_request,
    rotation_config_update,
    rotation_preview,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from schedules.models import OnCallRecord, Origin, Override, Role, Schedule
from teams.actions import (
    RotationSettings,
    team_restore,
    team_soft_delete,
    unavailability_create,
    unavailability_delete,
)
from teams.checkpoints import forget_checkpoints
from teams.models import BackupLine, Team
from tests.factories import MembershipFactory, OverrideFactory, TeamFactory
from tests.schedules.conftest import NOW

D = datetime.date
TODAY = D(2026, 12, 1)
START = D(2024, 10, 1)  # two years of daily turns before NOW
RECORDED_FROM = D(2024, 11, 1)  # the month before: never materialised (before the first handoff)


def _materialise_the_past(team: Team) -> None:
    """What two years of handoffs leave: an auto schedule a day and the ledger."""
    state = selectors.team_state(team, TODAY, checkpoint=False)
    planned = domain.plan(state, RECORDED_FROM, (TODAY - RECORDED_FROM).days)
    Schedule.objects.bulk_create(
        Schedule(
            team=team,
            engineer_slack_id=p.engineer,
            start_date=p.start_date,
            end_date=p.end_date,
            origin=Origin.AUTO,
        )
        for p in planned
    )
    OnCallRecord.objects.bulk_create(
        OnCallRecord(
            team=team, on_call_date=p.start_date, engineer_slack_id=p.engineer, source="rotation"
        )
        for p in planned
    )


@pytest.fixture
def aged_team(db):
    team = TeamFactory(
        name="Ledger",
        slug="ledger",
        rotation_enabled=True,
        rotation_type="weighted",
        rotation_interval="daily",
        rotation_start_date=START,
        lookahead_periods=4,
    )
    for n, (uid, weight) in enumerate([("U_ALICE", 1.0), ("U_BOB", 2.0), ("U_CAROL", 1.0)]):
        MembershipFactory(team=team, slack_user_id=uid, weight=weight, joined_at=D(2024, 1, 1 + n))
    OverrideFactory(
        team=team,
        engineer_slack_id="U_DAVE",
        status="approved",
        start_date=D(2026, 12, 9),
        end_date=D(2026, 12, 10),
    )
    _materialise_the_past(team)
    handoff_process(team_id=team.pk, now=NOW)
    team.refresh_from_db()
    return team


def _answers(state: domain.TeamState, day: datetime.date):
    at = domain.handoff_at(day, "UTC", datetime.time(9)) + datetime.timedelta(hours=3)
    year = domain.resolve_range(
        state, day - datetime.timedelta(days=40), day + datetime.timedelta(days=365)
    )
    return domain.who_is_on_call(state, at), year, domain.plan(state, day, 8)


def test_the_handoff_keeps_the_checkpoint_of_todays_period(aged_team):
    checkpoint = domain.Checkpoint.from_json(aged_team.rotation_checkpoint)
    assert checkpoint.start == aged_team.rotation_checkpoint_start == TODAY
    assert checkpoint.clean_from == RECORDED_FROM
    whole = selectors.team_state(aged_team, TODAY, checkpoint=False)
    assert checkpoint == domain.checkpoint_at(whole, domain.period_of(whole.config, TODAY).index)


def test_a_lookup_loads_a_year_beside_the_checkpoint_and_answers_as_from_the_start(
    aged_team, django_assert_num_queries
):
    with django_assert_num_queries(2):  # members, and the one UNION of spans: as ever
        state = selectors.team_state(aged_team, TODAY)
    whole = selectors.team_state(aged_team, TODAY, checkpoint=False)
    assert state.checkpoint is not None
    assert min(s.start_date for s in state.schedules) > D(2025, 11, 1)
    assert min(s.on_call_date for s in state.history) > D(2025, 11, 1)
    assert min(s.start_date for s in whole.schedules) == RECORDED_FROM
    for day in (TODAY, TODAY + datetime.timedelta(days=3), TODAY + datetime.timedelta(days=30)):
        assert _answers(selectors.team_state(aged_team, day), day) == _answers(whole, day)


def test_a_rotation_loaded_beside_one_its_checkpoint_serves_reads_its_whole_ledger(aged_team):
    """One load of both teams: only a line whose checkpoint sums up its old days may leave
    them out; a young weighted rotation still counts a day held long ago."""
    young = TeamFactory(
        name="Young",
        slug="young",
        rotation_enabled=True,
        rotation_type="weighted",
        rotation_interval="daily",
        rotation_start_date=D(2026, 11, 1),
    )
    OnCallRecord.objects.create(
        team=young, on_call_date=D(2024, 6, 3), engineer_slack_id="U_CAROL", source="rotation"
    )
    states = selectors.team_states([aged_team, young], TODAY, TODAY)
    assert states[aged_team.pk].checkpoint is not None
    assert [s.on_call_date for s in states[young.pk].history] == [D(2024, 6, 3)]


def test_a_lookup_far_back_loads_from_the_start(aged_team):
    day = D(2025, 6, 1)  # its year reaches the month no schedule records
    assert not selectors.trimmed(aged_team, day, day)
    state = selectors.team_state(aged_team, day)
    assert min(s.start_date for s in state.schedules) == RECORDED_FROM


def test_a_lookup_reaching_the_unrecorded_month_loads_from_the_start_in_one_go(
    aged_team, django_assert_num_queries
):
    """Its year reaches into late October 2024, before the checkpoint's clean_from: the selector
    loads from the start straight away, not from the checkpoint first and then again."""
    day = D(2025, 10, 25)
    with django_assert_num_queries(2):
        state = selectors.team_state(aged_team, day)
    assert state.checkpoint is not None
    assert min(s.start_date for s in state.schedules) == RECORDED_FROM


def test_a_checkpoint_for_other_settings_is_passed_over(aged_team):
    Team.objects.filter(pk=aged_team.pk).update(rotation_type="round_robin")
    aged_team.refresh_from_db()
    state = selectors.team_state(aged_team, TODAY)
    assert state.checkpoint is None  # loaded again, from the start
    assert _answers(state, TODAY) == _answers(
        selectors.team_state(aged_team, TODAY, checkpoint=False), TODAY
    )


def test_a_settings_change_makes_a_new_checkpoint(aged_team):
    before = aged_team.rotation_checkpoint
    rotation_config_update(
        team=aged_team, actor=None, now=NOW, settings=RotationSettings(rotation_type="round_robin")
    )
    aged_team.refresh_from_db()
    assert aged_team.rotation_checkpoint not in (None, before)
    state = selectors.team_state(aged_team, TODAY)
    assert state.checkpoint is not None
    assert _answers(state, TODAY) == _answers(
        selectors.team_state(aged_team, TODAY, checkpoint=False), TODAY
    )


def test_a_preview_of_other_settings_replays_from_the_start_as_saving_them_does(aged_team):
    """The saved checkpoint sums up the saved settings' turns: a preview of others loads the
    line from its start, so what it shows is what saving them plans. (The ledger's first year
    is rewritten as Alice's behind the checkpoint's back: a plan built on the saved checkpoint
    would then differ from one from the start, so the test sees which one the preview used.)"""
    early = OnCallRecord.objects.filter(team=aged_team, on_call_date__lt=D(2025, 10, 1))
    early.update(engineer_slack_id="U_ALICE")
    tried = RotationSettings(handoff_time=datetime.time(10), lookahead_periods=14)
    preview = rotation_preview(team=aged_team, periods=14, now=NOW, settings=tried)
    saved = rotation_config_update(team=aged_team, actor=None, now=NOW, settings=tried)
    assert preview.entries == saved.entries


@pytest.mark.parametrize(
    ("offset", "kept"), [(-10, False), (-1, False), (0, True), (1, True), (20, True)]
)
def test_a_schedule_dated_before_the_checkpoint_drops_it(aged_team, offset, kept):
    """The checkpoint starts today: a schedule from ten days back or from yesterday reaches
    it; one from today (the checkpoint's own first day), tomorrow (within the reach of any
    checkpoint) or later leaves it as it was."""
    before = aged_team.rotation_checkpoint
    day = TODAY + datetime.timedelta(days=offset)
    Schedule.objects.filter(team=aged_team, start_date=day).delete()
    schedule_create(
        team=aged_team,
        actor=None,
        fields=ScheduleFields(engineer_slack_id="U_ALICE", start_date=day, end_date=day),
    )
    aged_team.refresh_from_db()
    assert aged_team.rotation_checkpoint == (before if kept else None)


def checkpoint_of(team: Team) -> dict:
    """The team's checkpoint fields, to put back with `update(**…)` between steps."""
    return {
        "rotation_checkpoint": team.rotation_checkpoint,
        "rotation_checkpoint_start": team.rotation_checkpoint_start,
    }


@pytest.mark.parametrize(("offset", "kept"), [(-10, False), (20, True)])
def test_an_override_taking_effect_before_the_checkpoint_drops_it(aged_team, offset, kept):
    """Recorded at once (no approval needed), approved later, or cancelled once approved: each
    changes who was on call from its first day, so one dated before the checkpoint drops it;
    one dated later leaves it."""
    made = checkpoint_of(aged_team)
    assert made["rotation_checkpoint"] is not None
    day = TODAY + datetime.timedelta(days=offset)
    fields = OverrideFields(engineer_slack_id="U_DAVE", start_date=day, end_date=day)
    override = override_request(team=aged_team, actor=None, fields=fields)
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint == (
        made["rotation_checkpoint"] if kept else None
    )
    Override.objects.filter(pk=override.pk).update(status="pending")
    for status in ("approved", "cancelled"):
        Team.objects.filter(pk=aged_team.pk).update(**made)
        override_decide(override=override, actor=None, status=status)
        kept_now = Team.objects.get(pk=aged_team.pk).rotation_checkpoint
        assert kept_now == (made["rotation_checkpoint"] if kept else None), status


def test_an_override_running_from_before_the_checkpoint_until_after_it_drops_it(aged_team):
    """Counted from its first day, not its last: it changes who was on call back then —
    recorded at once, or approved later."""
    made = checkpoint_of(aged_team)
    start, end = TODAY - datetime.timedelta(days=10), TODAY + datetime.timedelta(days=5)
    fields = OverrideFields(engineer_slack_id="U_DAVE", start_date=start, end_date=end)
    override = override_request(team=aged_team, actor=None, fields=fields)
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint is None
    Override.objects.filter(pk=override.pk).update(status="pending")
    Team.objects.filter(pk=aged_team.pk).update(**made)
    override_decide(override=override, actor=None, status="approved")
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint is None


@pytest.mark.parametrize("moved", ["later", "earlier"])
def test_a_schedule_moved_across_the_checkpoint_drops_it(aged_team, moved):
    """The dates it leaves and the dates it takes change who was on call alike (the update
    forgets from the earlier of its old and new starts)."""
    made = checkpoint_of(aged_team)
    past, later = TODAY - datetime.timedelta(days=10), TODAY + datetime.timedelta(days=20)
    start, moved_to = (past, later) if moved == "later" else (later, past)
    Schedule.objects.filter(team=aged_team, start_date__in=[past, later]).delete()
    schedule = schedule_create(
        team=aged_team,
        actor=None,
        fields=ScheduleFields(engineer_slack_id="U_ALICE", start_date=start, end_date=start),
    )
    Team.objects.filter(pk=aged_team.pk).update(**made)  # as made, whatever the create forgot
    schedule_update(
        schedule=schedule,
        actor=None,
        changes=ScheduleFields(start_date=moved_to, end_date=moved_to),
    )
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint is None


def test_a_schedule_deleted_from_before_the_checkpoint_drops_it(aged_team):
    assert aged_team.rotation_checkpoint is not None
    past = Schedule.objects.get(team=aged_team, start_date=TODAY - datetime.timedelta(days=10))
    schedule_delete(schedule=past, actor=None)
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint is None


def test_time_away_in_the_past_drops_the_checkpoint_and_the_replan_makes_it_anew(aged_team):
    Team.objects.filter(pk=aged_team.pk).update(rotation_checkpoint={"stale": True})
    aged_team.refresh_from_db()
    unavailability_create(
        actor=None,
        slack_user_id="U_BOB",
        team=aged_team,
        start_date=TODAY - datetime.timedelta(days=40),
        end_date=TODAY - datetime.timedelta(days=38),
    )
    aged_team.refresh_from_db()
    whole = selectors.team_state(aged_team, TODAY, checkpoint=False)
    # made again (the re-plan runs at the real clock's today, up to the ledger's day after)
    index = domain.settled_index(whole, datetime.date.today())
    assert aged_team.rotation_checkpoint == domain.checkpoint_at(whole, index).as_json()


def _bob_away_from_the_unrecorded_month(team: Team):
    """On a round robin, Bob away from October 2024 (the month no schedule records) until
    five days past the real clock's today: past the checkpoint the re-plan makes then."""
    rotation_config_update(
        team=team, actor=None, now=NOW, settings=RotationSettings(rotation_type="round_robin")
    )
    return unavailability_create(
        actor=None,
        slack_user_id="U_BOB",
        team=team,
        start_date=D(2024, 10, 10),
        end_date=datetime.date.today() + datetime.timedelta(days=5),
    )


def _assert_checkpoint_is_the_one_from_the_start(team: Team) -> None:
    team.refresh_from_db()
    whole = selectors.team_state(team, TODAY, checkpoint=False)
    index = domain.settled_index(whole, datetime.date.today())
    assert team.rotation_checkpoint == domain.checkpoint_at(whole, index).as_json()
    day = TODAY + datetime.timedelta(days=10)
    assert _answers(selectors.team_state(team, day), day) == _answers(whole, day)


def test_time_away_from_the_unrecorded_month_until_after_the_checkpoint_drops_it(aged_team):
    """Counted from its first day, not its last: Bob away since October 2024 moves the round
    robin's turns in the month no schedule records, so the checkpoint made before it is not
    built on — the one made again is the one from the start."""
    _bob_away_from_the_unrecorded_month(aged_team)
    _assert_checkpoint_is_the_one_from_the_start(aged_team)


def test_time_away_from_the_unrecorded_month_removed_drops_the_checkpoint_built_on_it(aged_team):
    """Removing that time away moves the turns back from its first day: the checkpoint the
    re-plan made while Bob was away is not built on either."""
    away = _bob_away_from_the_unrecorded_month(aged_team)
    unavailability_delete(unavailability=away, actor=None)
    _assert_checkpoint_is_the_one_from_the_start(aged_team)


def test_a_rotation_switched_off_keeps_no_checkpoint(aged_team):
    assert aged_team.rotation_checkpoint is not None
    rotation_config_update(
        team=aged_team, actor=None, now=NOW, settings=RotationSettings(rotation_enabled=False)
    )
    switched = Team.objects.get(pk=aged_team.pk)
    assert (switched.rotation_checkpoint, switched.rotation_checkpoint_start) == (None, None)


def test_a_restored_team_starts_its_rotation_from_its_anchor_again(aged_team):
    """Time away from every team reaches active teams' checkpoints only: one written while the
    team was archived must not be read past once it is back."""
    team_soft_delete(team=aged_team, actor=None)
    assert Team.objects.get(pk=aged_team.pk).rotation_checkpoint is not None  # kept meanwhile
    returned = team_restore(team=aged_team, actor=None)
    restored = Team.objects.get(pk=aged_team.pk)
    for team in (restored, returned):  # the row, and the team the action hands back
        assert (team.rotation_checkpoint, team.rotation_checkpoint_start) == (None, None)


def test_the_backup_lines_handoff_keeps_its_own_checkpoint(aged_team):
    rotation_config_update(
        team=aged_team,
        actor=None,
        role=Role.BACKUP,
        now=NOW,
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_interval="weekly",
            handoff_day=0,
            rotation_start_date=D(2026, 9, 7),
        ),
    )
    Team.objects.filter(pk=aged_team.pk).update(last_handoff_date=None, next_handoff_at=None)
    handoff_process(team_id=aged_team.pk, now=NOW)
    line = BackupLine.objects.get(team=aged_team)
    assert line.rotation_checkpoint_start == D(2026, 11, 30)
    team = Team.objects.select_related("backup_line").get(pk=aged_team.pk)
    state = lines.line_state(team, Role.BACKUP, TODAY)
    assert state.checkpoint == domain.Checkpoint.from_json(line.rotation_checkpoint)
    whole = lines.line_state(team, Role.BACKUP, TODAY, checkpoint=False)
    assert _answers(state, TODAY) == _answers(whole, TODAY)


@pytest.mark.parametrize(
    ("role", "days_before_start", "kept"),
    [
        (Role.PRIMARY, 0, True),  # a write on the checkpoint's first day: its period is later
        (Role.PRIMARY, 1, False),
        (Role.BACKUP, 0, False),  # the primary's day counts as away for the backup's day before
        (Role.BACKUP, -1, True),
    ],
)
def test_a_write_drops_the_checkpoints_its_date_reaches(aged_team, role, days_before_start, kept):
    line = Team if role == Role.PRIMARY else BackupLine
    start = D(2026, 11, 30)
    row = {"rotation_checkpoint": {"any": 1}, "rotation_checkpoint_start": start}
    if role == Role.BACKUP:
        BackupLine.objects.create(team=aged_team, **row)
    else:
        Team.objects.filter(pk=aged_team.pk).update(**row)
    in_hand = Team.objects.select_related("backup_line").get(pk=aged_team.pk)
    forget_checkpoints([in_hand], start - datetime.timedelta(days=days_before_start))
    which = {"pk": aged_team.pk} if role == Role.PRIMARY else {"team": aged_team}
    assert line.objects.filter(rotation_checkpoint__isnull=False, **which).exists() == kept
    # and so on the rows in hand, which the write may go on to save
    held = in_hand if role == Role.PRIMARY else in_hand.backup_line
    assert (held.rotation_checkpoint is not None) == kept
    assert (held.rotation_checkpoint_start is not None) == kept


def test_a_backup_checkpoint_made_at_utcs_tomorrow_is_dropped_by_a_write_dated_that_day(
    aged_team,
):
    """A team far east of UTC is on its next on-call day already: a primary write dated UTC's
    tomorrow reaches the backup line's checkpoint made at that day."""
    tomorrow = timezone.now().date() + datetime.timedelta(days=1)
    row = {"rotation_checkpoint": {"any": 1}, "rotation_checkpoint_start": tomorrow}
    BackupLine.objects.create(team=aged_team, **row)
    forget_checkpoints([aged_team], tomorrow)
    assert BackupLine.objects.get(team=aged_team).rotation_checkpoint is None


def test_a_weighted_rotations_first_handoff_keeps_a_checkpoint_counting_the_day_it_records(db):
    """No ledger before it: the day the handoff records is the ledger's first, so the
    checkpoint of today's period is made at once, not a handoff later."""
    team = TeamFactory(
        rotation_enabled=True,
        rotation_type="weighted",
        rotation_interval="daily",
        rotation_start_date=D(2026, 11, 20),
    )
    for uid in ("U_ALICE", "U_BOB"):
        MembershipFactory(team=team, slack_user_id=uid, joined_at=D(2026, 1, 1))
    handoff_process(team_id=team.pk, now=NOW)
    team.refresh_from_db()
    assert team.rotation_checkpoint_start == TODAY
    whole = selectors.team_state(team, TODAY, checkpoint=False)
    made = domain.checkpoint_at(whole, domain.period_of(whole.config, TODAY).index)
    assert domain.Checkpoint.from_json(team.rotation_checkpoint) == made


def test_a_weighted_backup_lines_first_handoff_keeps_a_checkpoint_counting_the_day_it_records(
    rotating_team,
):
    rotation_config_update(
        team=rotating_team,
        actor=None,
        role=Role.BACKUP,
        now=NOW,
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_type="weighted",
            rotation_interval="daily",
            rotation_start_date=D(2026, 11, 20),
        ),
    )
    assert BackupLine.objects.get(team=rotating_team).rotation_checkpoint is None  # no ledger
    handoff_process(team_id=rotating_team.pk, now=NOW)
    line = BackupLine.objects.get(team=rotating_team)
    assert line.rotation_checkpoint_start == TODAY
    team = Team.objects.select_related("backup_line").get(pk=rotating_team.pk)
    whole = lines.line_state(team, Role.BACKUP, TODAY, checkpoint=False)
    made = domain.checkpoint_at(whole, domain.period_of(whole.config, TODAY).index)
    assert domain.Checkpoint.from_json(line.rotation_checkpoint) == made
