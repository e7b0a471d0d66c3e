"""Counting rows of tables that grow forever: exact up to a cap, then "more than" the cap.

COUNT(*) over a filter reads every row it matches, so a list of 10 M entries would spend most
of its time counting them. Here the database stops after `COUNT_CAP + 1` rows found by the
list's own index: the cost is bounded whatever the size of the table."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Count:
    """How many rows a list holds: `value` exactly, or `capped` (more than `value`)."""

    value: int
    capped: bool

    def __str__(self) -> str:
        return f"more than {self.value:,}" if self.capped else f"{self.value:,}"


def count_up_to(rows: QuerySet, cap: int | None = None) -> Count:
    """One bounded query: SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)."""
    cap = COUNT_CAP if cap is None else cap
    found = rows.order_by().values("pk")[: cap + 1].count()
    return Count(min(found, cap), found > cap)


class CappedPaginator(Paginator):
    """Django's paginator over a bounded count: pages up to `COUNT_CAP` rows deep, so neither
    the count nor a page's offset grows with the table (the admin's change lists). `capped`
    tells a template to say "more than"."""

    @cached_property
    def _counted(self) -> Count:
        rows = self.object_list
        return rows.counted() if hasattr(rows, "counted") else count_up_to(rows)

    @cached_property
    def count(self) -> int:
        return self._counted.value

    @property
    def capped(self) -> bool:
        return self._counted.capped
