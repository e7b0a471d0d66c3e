from django.conf import settings
from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, AuditLog, EntityType

USERNAME_MAX = 150  # Django's username length; a sign-in form may post anything


@transaction.atomic
def sign_in_lockout_record(
    *, username: str, ip_address: str | None, failures: int, source: str
) -> AuditLog:
    """Audit that signing in as `username`, or from `ip_address`, is locked after `failures`
    failed attempts. The system locks it: no one is signed in to act."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    (entry,) = record(
        AuditEvent(
            entity_type=EntityType.ACCOUNT,
            entity_id=username[:64],
            action=AuditAction.LOCKED_OUT,
            actor=None,
            changes={"locked_out": {"old": False, "new": True}},
            metadata={
                "source": source,
                "username": username[:USERNAME_MAX],
                "ip": ip_address,
                "failures": failures,
                "cool_off_minutes": minutes,
            },
            change_reason=(
                f"{failures} failed sign-ins, the last as {username[:USERNAME_MAX]!r} from "
                f"{ip_address or 'an unknown address'}; signing in paused for {minutes} minutes."
            ),
        )
    )
    return entry
