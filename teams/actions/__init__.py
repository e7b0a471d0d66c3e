"""Every write to teams, memberships, time away and people (one module each)."""

from teams.actions.away import unavailability_create, unavailability_delete
from teams.actions.directory import (
    PersonFields,
    ensure_may_add_people,
    person_create,
    person_update,
)
from teams.actions.members import (
    MembershipFields,
    membership_remove,
    membership_update,
    membership_upsert,
    team_sync_members,
)
from teams.actions.people import (
    person_ical_token_reset,
    person_link,
    person_link_with_proof,
    person_unlink,
)
from teams.actions.team import (
    TEAM_DELETED,
    RotationSettings,
    TeamFields,
    ensure_team_active,
    lock_team,
    team_create,
    team_fields,
    team_ical_token_reset,
    team_restore,
    team_soft_delete,
    team_update,
)

__all__ = [
    "TEAM_DELETED",
    "MembershipFields",
    "PersonFields",
    "RotationSettings",
    "TeamFields",
    "ensure_may_add_people",
    "ensure_team_active",
    "lock_team",
    "membership_remove",
    "membership_update",
    "membership_upsert",
    "person_create",
    "person_ical_token_reset",
    "person_link",
    "person_link_with_proof",
    "person_unlink",
    "person_update",
    "team_create",
    "team_fields",
    "team_ical_token_reset",
    "team_restore",
    "team_soft_delete",
    "team_sync_members",
    "team_update",
    "unavailability_create",
    "unavailability_delete",
]
