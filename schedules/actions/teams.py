"""A team created whole, its rotation settings included."""

import datetime

from django.db import transaction

from oncall_project.base.actors import Actor
from schedules.actions.rotation_config import rotation_config_update
from teams.actions import RotationSettings, TeamFields, team_create
from teams.models import Team


@transaction.atomic
def team_create_with_rotation(
    *,
    actor: Actor | None,
    fields: TeamFields,
    rotation: RotationSettings,
    now: datetime.datetime | None = None,
) -> Team:
    """Create the team, then give it its rotation settings through rotation_config_update, as
    a change at rotation-config would: its rules, its audit entry, its plan (which the members
    the team gains later re-plan). One transaction: a refusal of either leaves no team."""
    team = team_create(actor=actor, fields=fields)
    if rotation.given():
        rotation_config_update(team=team, actor=actor, settings=rotation, now=now)
        team.refresh_from_db()
    return team
