"""The words of `/oncall` (escalation.oncall_reply): who is on call, until when in the team's
own time zone, who comes next; and `/oncall` alone, the caller's own coming shifts."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from escalation.oncall_reply import oncall_reply
from schedules.actions import rotation_config_update
from teams.actions import RotationSettings
from teams.models import Team
from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory

LA = ZoneInfo("America/Los_Angeles")
# Thursday 11 June 2026, noon in California: the command passes the time in UTC
NOW = datetime.datetime(2026, 6, 11, 12, 0, tzinfo=LA).astimezone(datetime.UTC)
JUNE = 2026, 6


@pytest.fixture
def payments(db):
    """Alice holds the 10th to the 12th by schedule; nobody is on call otherwise."""
    team = TeamFactory(name="Payments", slug="payments", timezone="America/Los_Angeles")
    ServiceFactory(name="Payment", team=team)
    ScheduleFactory(
        team=team,
        engineer_slack_id="U_ALICE",
        start_date=datetime.date(*JUNE, 10),
        end_date=datetime.date(*JUNE, 12),
    )
    return team


def test_a_run_is_told_until_its_handoff_in_the_teams_zone_then_who_comes_next(payments):
    ScheduleFactory(
        team=payments,
        engineer_slack_id="U_BOB",
        start_date=datetime.date(*JUNE, 13),
        end_date=datetime.date(*JUNE, 14),
    )
    until = "until Sat 13 Jun 09:00 America/Los_Angeles, then <@U_BOB>."
    assert oncall_reply("payments", "U_ANYONE", NOW) == f"*Payments*: <@U_ALICE> (schedule) {until}"
    assert oncall_reply("payment", "U_ANYONE", NOW) == (
        f"*Payment* (team Payments): <@U_ALICE> — schedule {until}"
    )


def test_a_run_with_nobody_after_it_says_a_gap_follows(payments):
    assert oncall_reply("payments", "U_ANYONE", NOW) == (
        "*Payments*: <@U_ALICE> (schedule) until Sat 13 Jun 09:00 America/Los_Angeles, "
        "then nobody (a gap)."
    )


def test_nobody_on_call_is_told_as_a_gap(payments):
    after = NOW + datetime.timedelta(days=7)
    assert oncall_reply("payments", "U_ANYONE", after) == (
        "*Payments*: nobody is on call — a coverage gap."
    )
    assert oncall_reply("payment", "U_ANYONE", after).startswith(
        "*Payment* (team Payments): nobody — "
    )


def test_a_backup_line_with_nobody_on_it_is_told_as_a_gap(payments):
    backup = RotationSettings(
        rotation_enabled=True,
        rotation_interval="weekly",
        rotation_start_date=datetime.date(*JUNE, 1),
    )
    rotation_config_update(team=payments, actor=None, role="backup", settings=backup)
    first, second = oncall_reply("payments", "U_ANYONE", NOW).split("\n")
    assert first.startswith("*Payments*: <@U_ALICE> (schedule)")
    assert second == "Backup on-call: nobody (a gap in the backup line)."


def test_names_and_what_was_asked_are_printed_never_taken_as_mark_up(payments):
    Team.objects.filter(pk=payments.pk).update(name="R&D <ops>")
    answer = oncall_reply("payment", "U_ANYONE", NOW)
    assert answer.startswith("*Payment* (team R&amp;D &lt;ops&gt;): <@U_ALICE> — schedule")
    assert oncall_reply("<!channel>", "U_ANYONE", NOW) == (
        "No service or team called '&lt;!channel&gt;'. `/oncall` alone lists your own shifts."
    )


def test_an_archived_team_is_not_answered_for(payments):
    payments.is_active = False
    payments.save()
    assert oncall_reply("payments", "U_ANYONE", NOW) == (
        "No service or team called 'payments'. `/oncall` alone lists your own shifts."
    )


def test_oncall_alone_lists_each_of_the_callers_shifts_in_the_next_four_weeks(payments):
    for start, end in ((20, 21), (30, 30)):
        ScheduleFactory(
            team=payments,
            engineer_slack_id="U_ALICE",
            start_date=datetime.date(*JUNE, start),
            end_date=datetime.date(*JUNE, end),
        )
    ScheduleFactory(  # 28 days on: past the four weeks the list covers
        team=payments,
        engineer_slack_id="U_ALICE",
        start_date=datetime.date(2026, 7, 10),
        end_date=datetime.date(2026, 7, 10),
    )
    assert oncall_reply("", "U_ALICE", NOW).split("\n") == [
        "Your on-call shifts in the next 28 days:",
        "• *Payments*: Wed 10 Jun 09:00 America/Los_Angeles → "
        "Sat 13 Jun 09:00 America/Los_Angeles (schedule)",
        "• *Payments*: Sat 20 Jun 09:00 America/Los_Angeles → "
        "Mon 22 Jun 09:00 America/Los_Angeles (schedule)",
        "• *Payments*: Tue 30 Jun 09:00 America/Los_Angeles → "
        "Wed 1 Jul 09:00 America/Los_Angeles (schedule)",
    ]


def test_oncall_with_only_spaces_is_oncall_alone(payments):
    reply = oncall_reply("   ", "U_ALICE", NOW)
    assert reply.startswith("Your on-call shifts in the next 28 days:")


def test_a_service_of_a_team_that_cannot_answer_names_its_fallback_and_why(payments):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    Team.objects.filter(pk=payments.pk).update(timezone="US/Pacific-New", oncall_engineer="U_DUTY")
    assert oncall_reply("payment", "U_ANYONE", NOW) == (
        "*Payment* (team Payments): <@U_DUTY> — team default.\n"
        "The team's on-call could not be worked out: Unknown time zone 'US/Pacific-New'."
    )


def test_oncall_alone_names_a_team_whose_shifts_cannot_be_worked_out(payments):
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    reply = oncall_reply("", "U_ALICE", NOW)
    assert reply.startswith("Your on-call shifts in the next 28 days:\n• *Payments*")
    assert reply.endswith(
        "\nYour shifts in *Odd* cannot be worked out: Unknown time zone 'US/Pacific-New'."
    )
    alone = oncall_reply("", "U_NOBODY", NOW)
    assert "cannot be worked out" not in alone


def test_oncall_alone_lists_at_most_twenty_shifts(payments):
    """A reply Slack shows at a glance: the first twenty shifts, soonest first."""
    ledger = TeamFactory(name="Ledger", slug="ledger", timezone="America/Los_Angeles")
    for team in (payments, ledger):
        for day in range(14, 40, 2):  # every other day: a shift of its own each time
            ScheduleFactory(
                team=team,
                engineer_slack_id="U_ALICE",
                start_date=datetime.date(*JUNE, 1) + datetime.timedelta(days=day - 1),
                end_date=datetime.date(*JUNE, 1) + datetime.timedelta(days=day - 1),
            )
    header, *shifts = oncall_reply("", "U_ALICE", NOW).split("\n")
    assert header == "Your on-call shifts in the next 28 days:"
    assert len(shifts) == 20
    assert shifts[0].startswith("• *Payments*: Wed 10 Jun")
    assert shifts[-1].startswith("• *Ledger*: Thu 2 Jul")  # Payments on the 2nd is the 21st


def test_a_service_answered_by_its_owner_in_a_gap_names_no_team_run(payments):
    """Nobody on the team is on call: the owner answers for the service, and the team's run
    (its gap's end, who comes next) is not theirs to be told."""
    ServiceFactory(name="Ledger", team=payments, service_owner="U_BOB")
    after = NOW + datetime.timedelta(days=7)
    assert oncall_reply("ledger", "U_ANYONE", after) == (
        "*Ledger* (team Payments): <@U_BOB> — service owner."
    )


@pytest.mark.parametrize(("day", "listed"), [(8, True), (9, True), (10, False)])
def test_oncall_alone_reaches_four_weeks_ahead_and_no_further(payments, day, listed):
    """From Thursday 11 June, the list runs to the 9th of July: four weeks of days."""
    ScheduleFactory(
        team=payments,
        engineer_slack_id="U_BOB",
        start_date=datetime.date(2026, 7, day),
        end_date=datetime.date(2026, 7, day),
    )
    reply = oncall_reply("", "U_BOB", NOW)
    assert ("Jul 09:00 America/Los_Angeles" in reply) is listed, reply
    assert reply.startswith("Your on-call shifts") is listed


def test_oncall_alone_with_no_shifts_still_names_a_team_that_cannot_be_worked_out(payments):
    TeamFactory(name="Odd", slug="odd", timezone="US/Pacific-New", oncall_engineer="U_CAROL")
    reply = oncall_reply("", "U_CAROL", NOW)
    assert reply.startswith("You have no on-call shifts in the next 28 days.")
    assert reply.endswith(
        "\nYour shifts in *Odd* cannot be worked out: Unknown time zone 'US/Pacific-New'."
    )


def test_the_backup_on_call_is_told_until_its_handoff_in_the_teams_zone(payments):
    for engineer in ("U_CAROL", "U_DAVE"):  # a week each: the week of 8 June is Dave's
        MembershipFactory(team=payments, slack_user_id=engineer)
    backup = RotationSettings(
        rotation_enabled=True,
        rotation_interval="weekly",
        rotation_start_date=datetime.date(*JUNE, 1),
    )
    rotation_config_update(team=payments, actor=None, role="backup", settings=backup)
    for asked in ("payments", "payment"):
        second = oncall_reply(asked, "U_ANYONE", NOW).split("\n")[1]
        assert second == "Backup on-call: <@U_DAVE> until Mon 15 Jun 09:00 America/Los_Angeles."


def test_names_in_a_gap_and_in_the_callers_own_shifts_are_printed_never_taken_as_mark_up(
    payments,
):
    Team.objects.filter(pk=payments.pk).update(name="R&D <ops>")
    after = NOW + datetime.timedelta(days=7)
    assert oncall_reply("payments", "U_ANYONE", after) == (
        "*R&amp;D &lt;ops&gt;*: nobody is on call — a coverage gap."
    )
    own = oncall_reply("", "U_ALICE", NOW).split("\n")[1]
    assert own.startswith("• *R&amp;D &lt;ops&gt;*: Wed 10 Jun 09:00")


def test_why_a_team_cannot_be_worked_out_is_printed_never_taken_as_mark_up(payments):
    # A zone name no tzdata knows, saved before zones were checked: it is quoted in the reason.
    Team.objects.filter(pk=payments.pk).update(timezone="<!channel>", oncall_engineer="U_DUTY")
    reason = "Unknown time zone '&lt;!channel&gt;'."
    assert oncall_reply("payment", "U_ANYONE", NOW) == (
        "*Payment* (team Payments): <@U_DUTY> — team default.\n"
        f"The team's on-call could not be worked out: {reason}"
    )
    assert oncall_reply("", "U_DUTY", NOW).endswith(
        f"\nYour shifts in *Payments* cannot be worked out: {reason}"
    )


def test_a_service_of_no_team_is_answered_by_its_fallback_with_no_team_run(db):
    ServiceFactory(name="Orphan", team=None, service_owner="U_FRANK", team_slack_group="S_ORPH")
    assert oncall_reply("orphan", "U_ANYONE", NOW) == "*Orphan*: <@U_FRANK> — service owner."


def test_oncall_alone_words_a_default_shift_as_the_team_lookup_does(payments):
    TeamFactory(name="Ledger", slug="ledger", oncall_engineer="U_ERIN")
    header, *shifts = oncall_reply("", "U_ERIN", NOW).split("\n")
    assert header == "Your on-call shifts in the next 28 days:"
    assert shifts and all(s.endswith(" (team default)") for s in shifts), shifts
