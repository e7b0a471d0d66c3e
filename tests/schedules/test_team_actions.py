"""team_create_with_rotation: a team created whole, its rotation settings through the same
action as a change at rotation-config."""

import datetime

import pytest

from audit.models import AuditLog
from oncall_project.base.errors import Forbidden, InvalidInput
from schedules.actions import team_create_with_rotation
from schedules.models import Schedule
from teams.actions import membership_upsert, team_fields
from teams.models import Team
from tests.schedules.conftest import NOW


def create(actor, **values):
    own, rotation = team_fields({"name": "Payments", **values})
    return team_create_with_rotation(actor=actor, fields=own, rotation=rotation, now=NOW)


def test_the_rotation_settings_are_audited_as_rotation_config_and_followed(db, staff_actor):
    team = create(
        staff_actor,
        timezone="Europe/Berlin",
        rotation_enabled=True,
        rotation_start_date=datetime.date(2026, 11, 30),
        handoff_day=0,
    )
    assert (team.rotation_enabled, team.handoff_day, team.timezone) == (True, 0, "Europe/Berlin")
    created, configured = AuditLog.objects.order_by("created_at")
    assert (created.entity_type, created.action) == ("team", "created")
    assert set(configured.changes) == {"rotation_enabled", "rotation_start_date", "handoff_day"}
    assert (configured.entity_type, configured.actor_id) == ("rotation_config", "ops-admin")
    membership_upsert(team=team, slack_user_id="U_ALICE", actor=staff_actor)
    assert Schedule.objects.filter(team=team, origin="auto").exists()


def test_without_rotation_settings_only_the_team_is_recorded(db, staff_actor):
    create(staff_actor)
    assert list(AuditLog.objects.values_list("entity_type", flat=True)) == ["team"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"handoff_day": 7}, "handoff_day"),
        ({"rotation_order": ["U_A", "U_A"]}, "rotation_order"),
        ({"rotation_enabled": True}, "rotation_start_date"),
        # the rule rotation-config keeps beyond the model's: a start within ten years
        ({"rotation_start_date": datetime.date(2046, 1, 1)}, "rotation_start_date"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_refusal_of_either_part_leaves_no_team(db, staff_actor, values, field):
    with pytest.raises(InvalidInput) as refused:
        create(staff_actor, **values)
    assert field in refused.value.errors
    assert not Team.objects.exists()
    assert not AuditLog.objects.exists()


def test_it_needs_staff(db, member_actor):
    with pytest.raises(Forbidden):
        create(member_actor, rotation_enabled=False)
    assert not Team.objects.exists()
