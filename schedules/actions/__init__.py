"""Every write to schedules, overrides and rotations."""

from schedules.actions.handoff import handoff_process
from schedules.actions.overrides import override_cancel, override_decide, override_request
from schedules.actions.rotation import (
    rotation_config_update,
    rotation_generate,
    rotation_preview,
)
from schedules.actions.schedules import schedule_create, schedule_delete, schedule_update

__all__ = [
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
]
