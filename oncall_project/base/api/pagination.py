import datetime

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from oncall_project.base.counting import COUNT_CAP, count_up_to

# A number this long is past any page and any size: read as this, not parsed
_HUGE = 10**9


def _whole_number(request, name: str) -> int | None:
    """The query's `name` as a number from 1 (None if not given); else a 400 naming it."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    digits = value.lstrip("0")
    if not (digits.isascii() and digits.isdigit()):  # "", "0", "-1", "2.5", "٣"
        raise ValidationError({name: [f"A whole number from 1, e.g. {name}=2."]})
    return _HUGE if len(digits) > 9 else int(digits)


class PageSizeParam:
    """`?page_size=` from 1 up to the list's most (more is read as the most); anything else is
    a 400 naming it, not the default page size given back without a word."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        if not self.page_size_query_param:
            return self.page_size
        size = _whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)


class Pagination(PageSizeParam, PageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `?page=` (a number from 1, or `last`; a
    page past the last is a 404), `?page_size=` up to 200."""

    invalid_page_message = "No page {page_number}: {message}."

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        return _whole_number(request, self.page_query_param) or 1


class NewestFirstPagination(PageSizeParam, CursorPagination):
    """For lists that grow forever (the audit log): newest first, a page at a time from where
    the last ended (`?cursor=` from `next`/`previous`), read through an index on
    (created_at, id) whatever the page's depth. `{"count", "count_capped", "next",
    "previous", "results"}`: `count` is exact up to 10,000; beyond it, 10,000 with
    `count_capped: true`. `?page_size=` up to 200."""

    ordering = ("-created_at", "-id")
    invalid_cursor_message = "Not a cursor this list gave: follow `next` or `previous`."

    def paginate_queryset(self, queryset, request, view=None):
        self.count = count_up_to(queryset)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from exc
        if cursor is not None and cursor.position is not None:
            try:
                instant = parse_datetime(cursor.position)
                if instant is not None and instant.tzinfo is not None:
                    instant.astimezone(datetime.UTC)  # a year past 9999 in UTC: not ours
            except (ValueError, OverflowError):
                instant = None
            if instant is None or instant.tzinfo is None:
                raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count.value,
                "count_capped": self.count.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        shape = super().get_paginated_response_schema(schema)
        shape["required"] = ["count", "count_capped", "next", "previous", "results"]
        shape["properties"] = {
            "count": {
                "type": "integer",
                "example": 123,
                "description": f"Entries that match, exact up to {COUNT_CAP:,}.",
            },
            "count_capped": {
                "type": "boolean",
                "description": f"More than {COUNT_CAP:,} match: `count` says {COUNT_CAP:,}.",
            },
            **shape["properties"],
        }
        return shape
