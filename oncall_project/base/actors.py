"""Who performs an action. Interfaces build an Actor; actions take `actor` (None = the system)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: str
    source: str = "api"
    user_id: int | None = None
    is_staff: bool = False
    slack_user_id: str = ""
    # A machine client (an API token), not a person: it acts for people only by naming them.
    machine: bool = False

    @classmethod
    def from_user(cls, user, source: str, *, machine: bool = False) -> "Actor":
        person = getattr(user, "person", None) if user.is_authenticated else None
        slack_id = (person.slack_user_id if person else "") or ""
        return cls(
            id=slack_id or user.get_username(),
            source=source,
            user_id=user.pk,
            is_staff=user.is_staff,
            slack_user_id=slack_id,
            machine=machine,
        )

    @classmethod
    def slack(cls, slack_user_id: str) -> "Actor":
        return cls(id=slack_user_id, source="slack", slack_user_id=slack_user_id)
