"""The admin's search of the audit log: a whole id in any of several fields, newest first.

An OR of the fields would be read backwards through the time index past every entry that is
not a match (a second for an id few entries name). Here each field is read through its own
index on (field, created_at, id), newest first and no deeper than the page asked for, and the
pages are merged: the cost follows the page's depth (at most the count's cap), not the log's
size."""

from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet

from oncall_project.base import counting
from oncall_project.base.counting import Count


class MergedSearch:
    """The entries of `rows` (filtered and ordered newest first) naming `term` in any of
    `fields`: what a paginator needs of a list — a count, and a page by slicing."""

    def __init__(self, rows: QuerySet, term: str, fields: tuple[str, ...]) -> None:
        self.rows, self.term, self.fields = rows, term, fields

    def _in(self, field: str) -> QuerySet:
        return self.rows.filter(**{field: self.term})

    def counted(self) -> Count:
        cap, found = counting.COUNT_CAP, set()
        for field in self.fields:
            found.update(self._in(field).values_list("pk", flat=True)[: cap + 1])
        return Count(min(len(found), cap), len(found) > cap)

    def count(self) -> int:
        return self.counted().value

    def __getitem__(self, window: slice) -> list:
        newest: dict = {}
        for field in self.fields:
            newest.update(
                (pk, at)
                for at, pk in self._in(field).values_list("created_at", "pk")[: window.stop]
            )
        ids = sorted(newest, key=lambda pk: (newest[pk], pk), reverse=True)[window]
        found = self.rows.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def _clone(self) -> list:
        """Every match, for a list short enough to show on one page."""
        return self[0 : self.count()]


class SearchByIdChangeList(ChangeList):
    """Django's change list, with the search done by MergedSearch over the filtered list."""

    def get_queryset(self, request, exclude_parameters=None):
        term, self.query = self.query, ""
        try:
            rows = super().get_queryset(request, exclude_parameters)
        finally:
            self.query = term
        term = term.strip().replace("\x00", "")
        return MergedSearch(rows, term, self.model_admin.searched) if term else rows
