"""Every write to teams, memberships and time away (one module each)."""

from teams.actions.away import unavailability_create, unavailability_delete
from teams.actions.members import (
    MEMBERSHIP_FIELDS,
    membership_remove,
    membership_upsert,
    team_sync_members,
)
from teams.actions.team import (
    ROTATION_FIELDS,
    TEAM_DELETED,
    TEAM_FIELDS,
    ensure_team_active,
    lock_team,
    team_create,
    team_ical_token_reset,
    team_restore,
    team_soft_delete,
    team_update,
)

__all__ = [
    "MEMBERSHIP_FIELDS",
    "ROTATION_FIELDS",
    "TEAM_DELETED",
    "TEAM_FIELDS",
    "ensure_team_active",
    "lock_team",
    "membership_remove",
    "membership_upsert",
    "team_create",
    "team_ical_token_reset",
    "team_restore",
    "team_soft_delete",
    "team_sync_members",
    "team_update",
    "unavailability_create",
    "unavailability_delete",
]
