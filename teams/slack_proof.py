"""Short-lived signed proof that a Slack user asked to link their account (`/oncall link`)."""

from django.core import signing

SALT = "oncall.person-link"
MAX_AGE_SECONDS = 15 * 60


def issue(slack_user_id: str) -> str:
    return signing.dumps(slack_user_id, salt=SALT, compress=False)


def verify(proof: str) -> str | None:
    """The Slack user id the proof was issued to, or None if forged, altered or expired."""
    try:
        value = signing.loads(proof, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return value if isinstance(value, str) else None
