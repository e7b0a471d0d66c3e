from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from schedules.models import OnCallRecord


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_plan_prints_the_rotation_as_a_table(rotating_team):
    output = run("plan", "--team", "payments", "--periods", "3")
    lines = output.strip().splitlines()
    assert lines[0].split() == ["period", "start", "end", "engineer"]
    assert len(lines) == 4 and all("U_" in line for line in lines[1:])


def test_plan_for_an_unknown_team_fails_clearly(db):
    with pytest.raises(CommandError, match="No team with slug 'nope'"):
        run("plan", "--team", "nope")


def test_rotate_now_records_the_handoff_once(rotating_team):
    assert "Payments: on call" in run("rotate_now", "--team", "payments")
    run("rotate_now")
    assert OnCallRecord.objects.count() == 1


def test_rotate_now_again_the_same_day_names_who_is_on_call(db):
    from tests.factories import TeamFactory

    TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    first = run("rotate_now", "--team", "payments")
    assert "Payments: on call U_ALICE (recorded " in first
    again = run("rotate_now", "--team", "payments")
    assert "Payments: on call U_ALICE (recorded nothing new)" in again
    assert OnCallRecord.objects.count() == 1
