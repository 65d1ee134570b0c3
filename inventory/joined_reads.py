"""Reads every request makes, by statements written once.

Each request of a logged-in user or module reads its session or API token and the user
behind it, and a non-superuser's permissions. Through the ORM such a read is compiled anew
every time, which costs more than running it. ``JoinedRead`` writes a ``SELECT … LEFT OUTER
JOIN`` of a row and the row its foreign key names once per database; each call only runs it,
converting the stored values with the model fields' own database converters (as a queryset
would) and attaching the related row as ``select_related`` does. ``PreparedValues`` compiles
a ``values_list`` query of one parameter once per database and runs its SQL after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, router

Converters = list[tuple[list[Any], Any]]


def _columns(
    model: type[models.Model], alias: str, connection: Any
) -> tuple[list[str], Converters]:
    """The select list of a model's columns and each column's database converters."""
    select: list[str] = []
    converters: Converters = []
    for item in model._meta.concrete_fields:
        column = item.get_col(alias)
        select.append(f"{alias}.{connection.ops.quote_name(item.column)}")
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((found, column))
    return select, converters


def _instance(
    model: type[models.Model], alias: str, values: Sequence[Any], converters: Converters
) -> Any:
    connection = connections[alias]
    converted = []
    for value, (functions, column) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    names = [item.attname for item in model._meta.concrete_fields]
    return model.from_db(alias, names, converted)


@dataclass(frozen=True)
class _Statement:
    sql: str
    row: Converters
    related: Converters


@dataclass
class JoinedRead:
    """``model`` rows matching ``where`` (SQL over the row's columns as ``r.<column>``, with
    ``%s`` parameters), each with the row its foreign key ``relation`` names (``None`` when
    the key is empty). Parameters are given with the field they compare to, which prepares
    them for the database as a queryset would (an aware datetime as SQLite stores it)."""

    model: type[models.Model]
    relation: str
    where: str
    _statements: dict[tuple[str, str], _Statement] = field(default_factory=dict, repr=False)

    def _statement(self, alias: str) -> _Statement:
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self._statements:
            foreign_key = self.model._meta.get_field(self.relation)
            related = foreign_key.related_model
            quote = connection.ops.quote_name
            row_select, row = _columns(self.model, "r", connection)
            related_select, related_converters = _columns(related, "j", connection)
            sql = (
                f"SELECT {', '.join(row_select + related_select)} "
                f"FROM {quote(self.model._meta.db_table)} r LEFT OUTER JOIN "
                f"{quote(related._meta.db_table)} j ON j.{quote(related._meta.pk.column)} = "
                f"r.{quote(foreign_key.column)} WHERE {self.where}"
            )
            self._statements[key] = _Statement(sql, row, related_converters)
        return self._statements[key]

    def first(self, params: Sequence[tuple[str, Any]]) -> Any:
        """The first row matching ``(field name, value)`` parameters, in the order of the
        ``%s`` of ``where``, with its related row attached; ``None`` when none matches."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        statement = self._statement(alias)
        prepared = [
            self.model._meta.get_field(name).get_db_prep_value(value, connection)
            for name, value in params
        ]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, prepared)
            found = cursor.fetchone()
        if found is None:
            return None
        width = len(statement.row)
        row = _instance(self.model, alias, found[:width], statement.row)
        foreign_key = self.model._meta.get_field(self.relation)
        related = None
        if found[width] is not None:
            model = foreign_key.related_model
            related = _instance(model, alias, found[width:], statement.related)
        foreign_key.set_cached_value(row, related)
        return row


#: The value a ``PreparedValues`` query is compiled with, found again among the parameters.
MARKER = -918_273_645


@dataclass
class PreparedValues:
    """The rows of ``build(value)``, a ``values_list`` queryset of ``model`` whose only
    parameter is ``value`` (an integer, which may appear several times). It is compiled once
    per database with ``MARKER`` in place of the value; a query whose compiled parameters
    are not all the marker, or whose columns need converting, is run through the ORM each
    time instead."""

    model: type[models.Model]
    build: Callable[[int], models.QuerySet]
    _statements: dict[tuple[str, str], tuple[str, int] | None] = field(
        default_factory=dict, repr=False
    )

    def _statement(self, alias: str) -> tuple[str, int] | None:
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self._statements:
            compiler = self.build(MARKER).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            columns = [selected[0] for selected in compiler.select]
            plain = params and all(item == MARKER for item in params)
            self._statements[key] = (
                (sql, len(params)) if plain and not compiler.get_converters(columns) else None
            )
        return self._statements[key]

    def rows(self, value: int) -> list[tuple[Any, ...]]:
        alias = router.db_for_read(self.model)
        statement = self._statement(alias)
        if statement is None:
            return list(self.build(value).using(alias))
        sql, count = statement
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [value] * count)
            return cursor.fetchall()
