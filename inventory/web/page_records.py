"""The rows of a table page read as light records instead of model instances.

A page of ``Inventory.table_queryset`` reads a dozen columns of 200 rows. Building a
deferred model instance for each row costs Django about as much as running the query;
reading the same columns with ``values_list`` into a named tuple costs a fifth of that. The
cells only read attributes (``engine_id``, ``cell_engine_name``…), the row's ``pk`` and its
text (``str(record)``, the model's own ``__str__``), which a record provides alike.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from operator import attrgetter
from typing import Any

from django.db import models
from django.db.models import QuerySet


def read_names(queryset: QuerySet) -> tuple[str, ...] | None:
    """The attributes a model instance of ``queryset`` would hold loaded: its loaded
    concrete fields by attribute name (``engine_id``), then its annotations. ``None`` when
    its rows are not plain rows of its model (``values()``, ``extra()`` selections)."""
    query = queryset.query
    if (
        query.values_select
        or query.extra_select
        or not issubclass(queryset._iterable_class, models.query.ModelIterable)
    ):
        return None
    named, deferred = query.deferred_loading
    fields = [
        field
        for field in queryset.model._meta.concrete_fields
        if field.primary_key or ((field.name in named or field.attname in named) != deferred)
    ]
    return (*(field.attname for field in fields), *query.annotation_select)


@functools.cache
def record_class(model: type[models.Model], names: tuple[str, ...]) -> type:
    """A named tuple of ``names`` that also answers ``pk`` and ``str()`` as ``model``
    does (its ``__str__`` reads only loaded attributes, such as ``name``)."""
    base = namedtuple(f"{model.__name__}Record", names)
    return type(
        base.__name__,
        (base,),
        {
            "__slots__": (),
            "pk": property(attrgetter(model._meta.pk.attname)),
            "__str__": model.__str__,
        },
    )


def page_records(rows: Any) -> list[Any]:
    """The records of a page's rows: light records for a queryset of model rows, the rows
    themselves for anything else (a list, a ``values()`` queryset)."""
    if not isinstance(rows, QuerySet):
        return list(rows)
    names = read_names(rows)
    if names is None:
        return list(rows)
    make = record_class(rows.model, names)._make
    return [make(row) for row in rows.values_list(*names)]
