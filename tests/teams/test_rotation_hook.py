"""teams cannot import the rotation (schedules stands above it): membership and time-away
actions reach it through the follower schedules registers when it is ready."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from audit.models import AuditLog
from schedules.actions.rotation_config import rotation_follow_membership, rotation_snapshot
from teams import actions, rotation_hook
from teams.rotation_hook import RotationFollower
from tests.factories import TeamFactory


class Recorder:
    """A follower that notes each call, in place of the rotation's for one test."""

    def __init__(self):
        self.calls: list[tuple] = []

    def snapshot(self, team) -> str:
        self.calls.append(("snapshot", team.pk, team.memberships.count()))
        return "before"

    def follow(self, team, actor, snapshot, change_key) -> None:
        in_transaction = transaction.get_connection().in_atomic_block
        self.calls.append(
            (
                "follow",
                team.pk,
                team.memberships.count(),
                actor.id,
                snapshot,
                change_key,
                in_transaction,
            )
        )


@pytest.fixture
def recorded():
    recorder, previous = Recorder(), list(rotation_hook._registered)
    rotation_hook.register_rotation_follower(RotationFollower(recorder.snapshot, recorder.follow))
    yield recorder.calls
    rotation_hook._registered[:] = previous


def test_schedules_registers_the_rotation_as_the_follower():
    assert rotation_hook._follower() == RotationFollower(
        rotation_snapshot, rotation_follow_membership
    )


def test_a_membership_change_snapshots_before_and_is_followed_after_inside_its_transaction(
    db, staff_actor, recorded
):
    team = TeamFactory()
    actions.membership_upsert(team=team, slack_user_id="U_NEW", actor=staff_actor)
    entry = AuditLog.objects.get(entity_type="team_membership")
    assert recorded == [
        ("snapshot", team.pk, 0),
        ("follow", team.pk, 1, "ops-admin", "before", f"membership:{entry.pk}", True),
    ]


def test_without_a_follower_a_membership_change_is_refused_not_left_unplanned(
    db, staff_actor, recorded
):
    team = TeamFactory()
    rotation_hook._registered.clear()
    with pytest.raises(ImproperlyConfigured):
        actions.membership_upsert(team=team, slack_user_id="U_NEW", actor=staff_actor)
    assert not team.memberships.exists()
