"""How much a stored value may hold, checked by the models' validators so every interface (API,
pages, admin, Slack, the legacy import) refuses the same input with a message naming the bound:
free text of a bounded length, metadata of a bounded size, dates within a window."""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

DESCRIPTION_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000
METADATA_MAX_BYTES = 16 * 1024
PERSON_NAME_MAX_LENGTH = 120  # a name in the directory or on a membership
TIME_ZONE_MAX_LENGTH = 64  # an IANA zone name (a team's, a person's)

# Wide enough for any real on-call date (the legacy system's history included), narrow enough
# that the engine's date arithmetic never nears the calendar's ends (year 1 and 9999).
DATE_WINDOW = (datetime.date(1970, 1, 1), datetime.date(2100, 12, 31))
OUTSIDE_WINDOW = f"A date from {DATE_WINDOW[0]} to {DATE_WINDOW[1]}."


def bounded_text(max_length: int, **kwargs) -> models.TextField:
    """A TextField whose length is checked on save as a CharField's is (a TextField's
    max_length alone only reaches forms)."""
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


def validate_date_in_window(value: datetime.date) -> None:
    if isinstance(value, datetime.date) and not DATE_WINDOW[0] <= value <= DATE_WINDOW[1]:
        raise ValidationError(OUTSIDE_WINDOW, code="date_window")


def validate_metadata_size(value) -> None:
    try:
        size = len(json.dumps(value, ensure_ascii=False, default=str).encode(errors="replace"))
    except (TypeError, ValueError, RecursionError):
        return  # not JSON: the field's own checks say so
    if size > METADATA_MAX_BYTES:
        raise ValidationError(f"At most {METADATA_MAX_BYTES // 1024} KB of JSON.", code="size")
