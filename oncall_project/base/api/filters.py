"""Filter helpers shared by the apps' FilterSets."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters import BooleanFilter, Filter, FilterSet
from drf_spectacular.utils import extend_schema_field


def add_filters(**filters: Filter):
    """Declare filters whose names are Python keywords (`?from=`)."""

    def decorate(filterset: type[FilterSet]) -> type[FilterSet]:
        filterset.base_filters.update(filters)
        return filterset

    return decorate


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or `1`/`0`), any case; another value is refused, not read as "any"."""

    # The select widget maps what it does not know to "unknown" before the field sees it.
    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in {"true", "1"}:
            return True
        if word in {"false", "0"}:
            return False
        raise forms.ValidationError("Either true or false.", code="invalid")


class StrictBooleanFilter(BooleanFilter):
    """A boolean query parameter: `?is_active=maybe` is a 400 naming it, as a bad choice is."""

    field_class = StrictBooleanField


class InstantOrDateField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        # A bare date first: parse_datetime would read it as midnight.
        for parse in (parse_date, parse_datetime):
            try:
                parsed = parse(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                return _in_utc(parsed)
        raise forms.ValidationError("An ISO 8601 date or date-time, e.g. 2026-12-07.")


def _in_utc(value):
    """An aware date-time as UTC, which the database compares in; one whose UTC falls outside
    years 1–9999 (e.g. 0001-01-01T00:00+14:00) is refused here rather than failing there."""
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        return value
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError as exc:
        raise forms.ValidationError("A date-time within years 1–9999 in UTC.") from exc


class InstantRangeFilter(Filter):
    """`?from=` (inclusive) or `?to=` on a timestamp; a bare date means the whole day (UTC)."""

    field_class = InstantOrDateField

    def __init__(self, *, upper: bool, **kwargs):
        super().__init__(**kwargs)
        self.upper = upper
        # The schema: a string (date or date-time) with this filter's own description.
        extend_schema_field({"type": "string", "description": str(self.label or "")})(self)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        if isinstance(value, datetime.datetime):
            if timezone.is_naive(value):
                value = timezone.make_aware(value, datetime.UTC)
            lookup = "lte" if self.upper else "gte"
        elif self.upper and value == datetime.date.max:
            return qs  # up to the calendar's last day: no bound (the day after it overflows)
        else:
            day = value + datetime.timedelta(days=1) if self.upper else value
            value = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
            lookup = "lt" if self.upper else "gte"
        return qs.filter(**{f"{self.field_name}__{lookup}": value})
