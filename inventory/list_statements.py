"""List pages and counts run from SQL compiled once per request shape.

Compiling a list's page query through the ORM (about thirty columns, two joins, timestamps
formatted by the database, the order) and a count's aggregation costs about as much as
PostgreSQL takes to run a small page. Requests of one shape (the entity, the tables joined,
the columns selected, the sort) differ only in their condition and their LIMIT/OFFSET, so
the first request of a shape is compiled whole by Django and the SQL around its WHERE
condition is kept; each later request compiles only its own condition
(``compiler.compile(query.where)``, Django's code) and runs the three parts joined. Page
rows are built from the result as ``QuerySet.values()`` builds them: the columns' database
converters, then one dict per row.

A shape is kept only when its parts joined around the condition give back exactly the SQL
and parameters Django compiled for the request that compiled it (the condition appears
once, nothing follows from it elsewhere); otherwise its requests are compiled whole. A
condition that can match nothing costs no query (``EmptyResultSet``), as in Django.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable
from django.db.models.sql.query import Query

#: Shapes kept per process (entity, joins, columns and sort: a few dozen in practice).
KEPT = 256
#: What a request whose condition matches nothing (no SQL run) says of its shape: nothing.
UNDECIDED = object()
#: A placeholder (``%s``) or an escaped percent sign (``%%``) in compiled SQL.
PLACEHOLDER = re.compile(r"%%|%s")


@dataclass(frozen=True)
class Statement:
    """The SQL of one shape before and after its WHERE condition (``head``, ``tail``: the
    tail without LIMIT/OFFSET), with their parameters; ``where`` is False for a shape
    without a condition. Pages also keep their column names and converters."""

    head: str
    head_params: tuple[Any, ...]
    tail: str
    tail_params: tuple[Any, ...]
    where: bool
    names: tuple[str, ...] = ()
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...] = ()

    def sql(self, where: tuple[str, list[Any]] | None, limits: str) -> tuple[str, list[Any]]:
        """The statement with a compiled condition (``None``: none) and LIMIT/OFFSET text."""
        sql, params = self.head, [*self.head_params]
        if where is not None:
            sql += f" WHERE {where[0]}"
            params += where[1]
        sql += self.tail + (f" {limits}" if limits else "")
        return sql, [*params, *self.tail_params]


def _placeholders(sql: str) -> int:
    return sum(1 for found in PLACEHOLDER.findall(sql) if found == "%s")


def _split(
    sql: str, params: list[Any], where: tuple[str, list[Any]] | None, limits: str
) -> tuple[str, tuple[Any, ...], str, tuple[Any, ...]] | None:
    """``sql`` cut around its WHERE condition and without its LIMIT/OFFSET: head, head
    parameters, tail, tail parameters; ``None`` when the cut is not unambiguous."""
    if limits:
        if not sql.endswith(f" {limits}"):
            return None
        sql = sql[: -len(limits) - 1]
    if where is None:
        return sql, tuple(params), "", ()
    marker = f" WHERE {where[0]}"
    if sql.count(marker) != 1:
        return None
    head, tail = sql.split(marker)
    count = _placeholders(head)
    if params[count : count + len(where[1])] != list(where[1]):
        return None
    return head, tuple(params[:count]), tail, tuple(params[count + len(where[1]) :])


def _where(compiler: Any, query: Query) -> tuple[str, list[Any]] | None:
    """The query's own condition compiled by Django (``None`` when it matches every row;
    ``EmptyResultSet`` propagates when it can match none)."""
    if not query.where:
        return None
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return None
    return sql, list(params)


def _shape(kind: str, owner: Any, query: Query, alias: str) -> tuple[Any, ...] | None:
    """What fixes the SQL around a query's condition; ``None`` for a query whose condition
    may move into HAVING or QUALIFY (aggregates, windows)."""
    if query.where.contains_aggregate or query.where.contains_over_clause:
        return None
    joins = tuple(
        (name, join.table_name, getattr(join, "join_type", None), query.alias_refcount[name])
        for name, join in query.alias_map.items()
    )
    return (
        kind,
        id(owner),
        alias,
        connections[alias].vendor,
        query.model,
        joins,
        query.values_select,
        tuple(query.annotation_select),
        tuple(query.extra_select),
        query.order_by,
        query.default_ordering,
        query.distinct,
        query.distinct_fields,
        query.group_by is None,
        query.combinator,
        query.select_for_update,
        bool(query.where),
    )


class Statements:
    """Statements by shape, the latest ``KEPT``; a shape that cannot be kept is remembered
    as ``None`` (its requests are compiled whole)."""

    def __init__(self) -> None:
        self._found: dict[tuple[Any, ...], tuple[Any, Statement | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], owner: Any) -> tuple[bool, Statement | None]:
        """(known, statement) of a shape."""
        entry = self._found.get(key)
        if entry is None or entry[0] is not owner:
            return False, None
        return True, entry[1]

    def keep(self, key: tuple[Any, ...], owner: Any, statement: Statement | None) -> None:
        with self._lock:
            if len(self._found) >= KEPT:
                self._found.pop(next(iter(self._found)))
            self._found[key] = (owner, statement)

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


STATEMENTS = Statements()


def _limits(connection: Any, query: Query) -> str:
    if query.low_mark == 0 and query.high_mark is None:
        return ""
    return connection.ops.limit_offset_sql(query.low_mark, query.high_mark)


def _names(query: Query) -> tuple[str, ...]:
    """Column names of a values() row, as ``ValuesIterable`` names them."""
    if getattr(query, "selected", None):
        return tuple(query.selected)
    return (*query.extra_select, *query.values_select, *query.annotation_select)


def _rows(
    statement: Statement, connection: Any, sql: str, params: list[Any]
) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    names, converters = statement.names, statement.converters
    width = len(names)
    rows = []
    for row in found:
        values = list(row[:width])
        for position, functions, expression in converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        rows.append(dict(zip(names, values, strict=True)))
    return rows


def page_values(owner: Any, queryset: QuerySet) -> list[dict[str, Any]]:
    """``list(queryset)`` of a sliced ``values()`` queryset, its SQL compiled once per shape
    (``owner``: what built the queryset's columns, e.g. its list declaration)."""
    query, alias = queryset.query, queryset.db
    if queryset._iterable_class is not ValuesIterable:
        return list(queryset)
    connection = connections[alias]
    key = _shape("page", owner, query, alias)
    known, statement = STATEMENTS.get(key, owner) if key is not None else (True, None)
    compiler = query.get_compiler(alias)
    limits = _limits(connection, query)
    if statement is not None:
        try:
            where = _where(compiler, query)
        except EmptyResultSet:
            return []
        if statement.where or where is None:
            return _rows(statement, connection, *statement.sql(where, limits))
    rows = list(queryset)
    if not known and key is not None:
        found = _page_statement(compiler, query, limits)
        if found is not UNDECIDED:
            STATEMENTS.keep(key, owner, found)
    return rows


def _page_statement(compiler: Any, query: Query, limits: str) -> Statement | object | None:
    try:
        sql, params = compiler.as_sql()
        where = _where(compiler, query)
    except EmptyResultSet:
        return UNDECIDED
    parts = _split(sql, list(params), where, limits)
    if parts is None or compiler.has_extra_select:
        return None
    names = _names(query)
    if len(names) != compiler.col_count:
        return None
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )
    statement = Statement(*parts, where is not None, names, converters)
    if statement.sql(where, limits) != (sql, list(params)):
        return None
    return statement


def count(owner: Any, queryset: QuerySet) -> int:
    """Django's ``QuerySet.count()`` of ``queryset`` (never a maintained summary: the caller
    reads that first, ``listing.envelope``), its SQL compiled once per shape."""
    query, alias = queryset.query, queryset.db
    connection = connections[alias]
    key = _shape("count", owner, query, alias)
    known, statement = STATEMENTS.get(key, owner) if key is not None else (True, None)
    if statement is not None:
        try:
            where = _where(query.get_compiler(alias), query)
        except EmptyResultSet:
            return 0
        if statement.where or where is None:
            sql, params = statement.sql(where, "")
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return int(cursor.fetchone()[0])
    if known or key is None:
        return _counted(queryset)
    found, total = _count_statement(queryset)
    if found is not UNDECIDED:
        STATEMENTS.keep(key, owner, found)
    return total


def _counted(queryset: QuerySet) -> int:
    """Django's count, without the summary."""
    return QuerySet.count(queryset)


def _count_statement(queryset: QuerySet) -> tuple[Statement | object | None, int]:
    """Django's count of ``queryset`` and the statement cut from the SQL it ran (``None``
    when Django ran other than one statement, or the cut does not give it back;
    ``UNDECIDED`` when it ran none)."""
    ran: list[tuple[str, list[Any]]] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        ran.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    connection = connections[queryset.db]
    with connection.execute_wrapper(watch):
        total = _counted(queryset)
    if not ran:
        return UNDECIDED, total
    if len(ran) != 1:
        return None, total
    sql, params = ran[0]
    query = queryset.query
    try:
        where = _where(query.get_compiler(queryset.db), query)
    except EmptyResultSet:
        return UNDECIDED, total
    parts = _split(sql, params, where, "")
    if parts is None:
        return None, total
    statement = Statement(*parts, where is not None)
    return (statement if statement.sql(where, "") == (sql, params) else None), total
