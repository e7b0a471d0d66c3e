"""Query-string parameters shared by the on-call read endpoints: an instant (`?at=`), a date
window (`?from=&to=`), and the answer's period rendered in the team's own time zone."""

import datetime
import re
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from schedules.models import Role

# Lookups further out than this are refused: nobody plans on-call a decade ahead, and the engine
# replays the rotation from its anchor, so an unbounded date would be unbounded work.
REACH_YEARS = 10
_REACH = datetime.timedelta(days=366 * REACH_YEARS)
# A "+01:00" offset arrives as " 01:00" when the caller did not URL-encode the plus sign.
_UNENCODED_OFFSET = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")

AT_PARAMETER = OpenApiParameter(
    "at",
    OpenApiTypes.DATETIME,
    description="The instant to answer for, ISO 8601 (e.g. `2026-12-07T10:30:00Z` or "
    "`2026-12-07T10:30:00+01:00`; without an offset it is read as UTC). Default: now. "
    f"At most {REACH_YEARS} years from now.",
)


ROLE_PARAMETER = OpenApiParameter(
    "role",
    OpenApiTypes.STR,
    enum=["primary", "backup"],
    description="Which of the team's on-call lines: `primary` (default) or `backup`.",
)


class RoleField(serializers.ChoiceField):
    """`?role=primary|backup`, primary when left out."""

    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, required=False, default=Role.PRIMARY, **kwargs)


class RoleQuerySerializer(serializers.Serializer):
    role = RoleField()


def read_role(request: Request) -> str:
    """The `?role=` of a request (primary when left out); a bad one is a 400 naming it."""
    return read_query(request, RoleQuerySerializer)["role"]


def read_query(request: Request, serializer_class: type[serializers.Serializer]) -> dict:
    """Validate the query string like a body: a bad value is a 400 naming the parameter, and so
    is one given more than once (`?service=A&service=B` would answer for B alone)."""
    serializer = serializer_class(data=request.query_params.dict())
    repeated = {
        name: [f"Given {count} times: give it once."]
        for name in serializer.fields
        if (count := len(request.query_params.getlist(name))) > 1
    }
    if repeated:
        raise serializers.ValidationError(repeated)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def check_reach(value: datetime.date, today: datetime.date | None = None) -> None:
    today = today or timezone.now().date()
    if abs(value - today) > _REACH:
        raise serializers.ValidationError(f"At most {REACH_YEARS} years from today.")


def _is_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class InstantField(serializers.DateTimeField):
    """An aware instant from the query string, within reach of now."""

    default_error_messages = {
        "date_only": "An instant needs a time, e.g. 2026-12-07T10:30:00Z: a date alone would "
        "be read as midnight UTC, which is rarely the on-call day meant.",
    }

    def to_internal_value(self, value: Any) -> datetime.datetime:
        if isinstance(value, str):
            value = _UNENCODED_OFFSET.sub(r"\1+\2", value.strip())
            if _DATE_ONLY.match(value) and _is_date(value):
                self.fail("date_only")
        instant = super().to_internal_value(value)
        check_reach(instant.date())
        return instant


class DateParamField(serializers.DateField):
    """A date from the query string, within reach of today."""

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        check_reach(day)
        return day


class LocalInstantField(serializers.DateTimeField):
    """An instant shown in its own time zone (the team's), not converted to UTC: a handoff
    reads as the team's wall time, e.g. 09:00+01:00."""

    def to_representation(self, value: datetime.datetime | None) -> str | None:
        if value is None:
            return None
        return value.isoformat().replace("+00:00", "Z")


class AtQuerySerializer(serializers.Serializer):
    at = InstantField(required=False)
    role = RoleField()


def instant(query: dict) -> datetime.datetime:
    return query.get("at") or timezone.now()
