"""Every write to schedules, overrides and rotations."""

from schedules.actions.overrides import override_cancel, override_decide, override_request
from schedules.actions.schedules import schedule_create, schedule_delete, schedule_update

__all__ = [
    "override_cancel",
    "override_decide",
    "override_request",
    "schedule_create",
    "schedule_delete",
    "schedule_update",
]
