"""An import chunk's look-ups by name: the stored rows it names and the ids it refers to.

A chunk names up to a thousand rows. On PostgreSQL they are sent as one array and each name
is looked up on its own through the ``name`` index, in a ``LATERAL`` subquery the planner
cannot turn into a join. A join is what it picks for ``name IN (…)`` or ``= ANY(…)`` when the
table has no statistics for the rows an import has written in its own transaction (a new
database, a first catalog load): it then reads the whole table for every chunk, and an
import's time grows with the square of its rows. Elsewhere the ORM's ``name__in`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections, models


def _by_name(model: type[models.Model], columns: str) -> str:
    """The query of ``model``'s rows named as one of the array parameter's names, at most one
    per name (the names are unique), with ``columns`` of each."""
    quote = connections[model._default_manager.db].ops.quote_name
    table = quote(model._meta.db_table)
    name = quote(model._meta.get_field("name").column)
    return (
        f"SELECT {columns} FROM unnest(%s::text[]) AS wanted(name) CROSS JOIN LATERAL"
        f" (SELECT * FROM {table} WHERE {name} = wanted.name LIMIT 1) AS row"
    )


def _postgresql(model: type[models.Model]) -> bool:
    return connections[model._default_manager.db].vendor == "postgresql"


def stored_rows(model: type[models.Model], names: list[str]) -> Iterable[models.Model]:
    """The stored rows of ``model`` whose name is exactly one of ``names``."""
    manager = model._default_manager
    if not _postgresql(model) or not names:
        return manager.filter(name__in=names)
    return manager.raw(_by_name(model, "row.*"), [list(dict.fromkeys(names))])


def ids_by_name(model: type[models.Model], names: list[str]) -> dict[str, Any]:
    """Name → id of the stored rows of ``model`` whose name is exactly one of ``names``."""
    manager = model._default_manager
    if not _postgresql(model) or not names:
        return dict(manager.filter(name__in=names).values_list("name", "pk"))
    connection = connections[manager.db]
    name = connection.ops.quote_name(model._meta.get_field("name").column)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(_by_name(model, f"row.{name}, row.{pk}"), [list(dict.fromkeys(names))])
        return dict(cursor.fetchall())
