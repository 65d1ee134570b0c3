"""The list pages' paginator: the asked page read before the count, as the SDK and the API
read theirs (``listing.page_and_total``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django_tables2.rows import BoundRows

from ..listing import page_and_total
from .page_records import page_records


class PageFirstPaginator(Paginator):
    """Django's paginator over a table's rows that reads the asked page first.

    A filtered page that is not full gives the exact total by itself, so it runs no count;
    where a maintained summary gives the count, the count comes first and a page past the
    end reads no rows. The page's rows are read once, as light records (``page_records``).
    A page past the end raises ``EmptyPage`` as Django's paginator does; rows that are not
    a queryset, a page number that is not a whole number and orphans are Django's own
    paging."""

    def page(self, number: Any) -> Page:
        queryset = getattr(getattr(self.object_list, "data", None), "data", None)
        plain = isinstance(queryset, QuerySet) and isinstance(number, int) and number >= 1
        if not plain or self.orphans:
            return super().page(number)
        start = (number - 1) * self.per_page
        records, total = page_and_total(
            lambda start, stop: page_records(queryset[start:stop]),
            lambda: QuerySet.count(queryset),  # the summary, if any, was read already
            getattr(queryset, "summarized_count", None),
            start,
            start + self.per_page,
        )
        self.__dict__["count"] = total  # ``count`` is a cached property
        number = self.validate_number(number)  # past the end: ``EmptyPage``
        return self._get_page(BoundRows(records, table=self.object_list.table), number, self)
