"""Serializer fields whose wire format the OpenAPI schema must spell out itself."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# OpenAPI's `format: time` is RFC 3339's full-time, which needs an offset: a handoff time has
# none, it is a wall time read in the team's own time zone.
_WALL_TIME = r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^{_WALL_TIME}$",
        "example": "09:00:00",
        "description": "A local wall time, hh:mm[:ss[.uuuuuu]], without an offset.",
    }
)
class WallTimeField(serializers.TimeField):
    """A time of day without an offset. One given with an offset is refused, not read as if
    it had none."""

    default_error_messages = {
        "wall_time": "A local time of day, hh:mm[:ss[.uuuuuu]], without an offset: it is read "
        "in the team's time zone.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and not re.fullmatch(_WALL_TIME, value):
            self.fail("wall_time")
        return super().to_internal_value(value)
