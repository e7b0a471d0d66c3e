"""How a change to who takes turns reaches the rotation, which lives above teams (schedules).

A membership or time-away action calls `before_roster_change(team)` before it writes and
`after_roster_change(...)` after, inside its own transaction and under the team lock. The
schedules app registers the rotation as the follower when it is ready (`SchedulesConfig`): the
re-plan then happens in that same transaction and queues a message to whoever gained or lost
shifts. An explicit, typed call from the action, not a signal: the action decides when, and
nothing writes behind its back."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from oncall_project.base.actors import Actor
from teams.models import Team


@dataclass(frozen=True)
class RotationFollower:
    """`snapshot(team)`: what the rotation looked like before a change (opaque here);
    `follow(team, actor, snapshot, change_key)`: re-plan after it, and tell the people moved."""

    snapshot: Callable[[Team], object]
    follow: Callable[[Team, Actor | None, object, str], object]


_registered: list[RotationFollower] = []


def register_rotation_follower(follower: RotationFollower) -> None:
    """Called once, by the app that owns the rotation, when it is ready."""
    _registered[:] = [follower]


def _follower() -> RotationFollower:
    if not _registered:
        raise ImproperlyConfigured(
            "No rotation follows membership changes: the schedules app registers it when ready."
        )
    return _registered[0]


def before_roster_change(team: Team) -> object:
    return _follower().snapshot(team)


def after_roster_change(team: Team, actor: Actor | None, snapshot: object, change_key: str) -> None:
    _follower().follow(team, actor, snapshot, change_key)
