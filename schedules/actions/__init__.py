"""Every write to schedules, overrides and rotations."""

from schedules.actions.handoff import handoff_process
from schedules.actions.overrides import (
    OverrideFields,
    override_cancel,
    override_decide,
    override_request,
)
from schedules.actions.rotation import rotation_generate, rotation_preview
from schedules.actions.rotation_config import rotation_config_update
from schedules.actions.schedules import (
    ScheduleFields,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from schedules.actions.teams import team_create_with_rotation

__all__ = [
    "OverrideFields",
    "ScheduleFields",
    "handoff_process",
    "override_cancel",
    "override_decide",
    "override_request",
    "rotation_config_update",
    "rotation_generate",
    "rotation_preview",
    "schedule_create",
    "schedule_delete",
    "schedule_update",
    "team_create_with_rotation",
]
