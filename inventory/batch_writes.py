"""Batched inserts and updates of many rows at once (the import, the change history).

Django's ``bulk_create`` and ``bulk_update`` spend most of a large write in Python: on
PostgreSQL ``bulk_create`` sends each column as an array literal, escaped character by
character, and ``bulk_update`` builds one ``CASE WHEN id = … THEN …`` expression per field
over the whole batch. Here the rows go to PostgreSQL by ``COPY`` (psycopg's C dumpers):
inserted rows straight into their table (ids drawn from the table's sequence first, so the
instances know them, as after ``bulk_create``), updated rows into a temporary table shaped
like the columns written and then one ``UPDATE … FROM`` joins it by id. Other databases
(SQLite) use ``bulk_create`` and one ``UPDATE … WHERE id = ?`` run for all rows
(``executemany``). Values go through each field's ``pre_save`` and ``get_db_prep_save``, as
in any Django write; no signals are sent (as with ``bulk_create``). Two exceptions, worked out
once per model (``columns``): a string for a text field whose preparation is Django's own
(which keeps a string as it is) goes as it is, and so does a string for any text field when
the caller says the rows were validated (``cleaned``): the field's ``clean()`` has normalized
it already, and its preparation would only normalize it again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, models, router
from django.db.backends.postgresql.psycopg_any import is_psycopg3

from . import json_text

TEMP_TABLE = "batch_changed_rows"


@dataclass(frozen=True)
class Column:
    """How one field's value is prepared for the database (see the module docstring)."""

    field: models.Field
    #: a text field (a string is stored as it is once prepared)
    text: bool
    #: the field's own preparation keeps a string as it is (Django's ``CharField``/``TextField``)
    plain: bool
    #: the field prepares its value before saving (``auto_now`` stamps)
    stamps: bool
    #: a JSON field prepared by Django's own code with Django's encoder
    json: bool = False
    #: value classes Django's own preparation of this field class sends to PostgreSQL as
    #: they are (an aware datetime too, for a ``DateTimeField``: ``moment``)
    as_is: tuple[type, ...] = ()
    moment: bool = False


_PLAIN_TEXT = {
    (klass.to_python, klass.get_prep_value) for klass in (models.CharField, models.TextField)
}


_PLAIN_JSON = (models.JSONField.get_db_prep_value, models.JSONField.get_prep_value)


#: Django's own field classes whose preparation keeps these value classes as they are on
#: PostgreSQL (an integer, a UUID, ``None``): the preparation is skipped for them
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    **dict.fromkeys(
        (
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        ),
        (int, type(None)),
    ),
    models.UUIDField: (uuid.UUID, type(None)),
    models.DateTimeField: (type(None),),
}


@cache
def columns(model: type[models.Model]) -> dict[str, Column]:
    """Each concrete field's ``Column``, by field name."""
    result = {}
    for field in model._meta.concrete_fields:
        klass = type(field)
        text = isinstance(field, models.CharField | models.TextField)
        result[field.name] = Column(
            field,
            text,
            text and (klass.to_python, klass.get_prep_value) in _PLAIN_TEXT,
            klass.pre_save is not models.Field.pre_save,
            isinstance(field, models.JSONField)
            and (klass.get_db_prep_value, klass.get_prep_value) == _PLAIN_JSON
            and field.encoder is None,
            _AS_IS.get(klass, ()),
            klass is models.DateTimeField,
        )
    return result


def prepared_rows(
    plan: Sequence[Column],
    instances: Iterable[models.Model],
    connection: Any,
    add: bool | None,
    cleaned: bool,
) -> list[list[Any]]:
    """The database values of each of ``instances`` for ``plan`` (``add``: run ``pre_save`` as
    an insert or an update; ``None``: read the values as they are).

    On PostgreSQL a JSON value goes as JSON text written by orjson, for a ``jsonb`` column
    that stores the value, not the text (spacing, escapes and a float's exponent notation
    make no difference). Whatever orjson would write differently from Django's encoder
    (``json.dumps``) or not at all, it refuses: dates, times, dataclasses, subclasses of the
    JSON types, integers beyond 64 bits, keys that are not text, lone surrogates. Those,
    and ``None`` (SQL ``NULL``, not JSON ``null``), take Django's path. NaN and Infinity,
    which orjson would write as ``null``, never reach a write: every door refuses them.
    An integer, a UUID, an aware datetime or ``None`` for one of Django's own fields that
    would send it to PostgreSQL unchanged (``Column.as_is``) goes as it is, and so does a
    string that Django's own text preparation keeps (a choices member among them)."""
    postgresql = connection.vendor == "postgresql"
    steps = [(column, _kept(column, postgresql, cleaned)) for column in plan]
    return [_prepared(steps, instance, connection, add, postgresql) for instance in instances]


def _kept(column: Column, postgresql: bool, cleaned: bool) -> frozenset[type]:
    """The value classes of ``column`` that go to the database as they are."""
    kept = set(column.as_is) if postgresql else set()
    if column.text and (cleaned or column.plain):
        kept.add(str)
    return frozenset(kept)


def _prepared(
    steps: Sequence[tuple[Column, frozenset[type]]],
    instance: models.Model,
    connection: Any,
    add: bool | None,
    postgresql: bool,
) -> list[Any]:
    row = []
    for column, kept in steps:
        field = column.field
        if add is not None and column.stamps:
            value = field.pre_save(instance, add)
        else:
            value = getattr(instance, field.attname)
        if value.__class__ in kept:
            row.append(value)
        elif column.json and postgresql and value is not None:
            text = json_text.plain(value)
            row.append(
                text.decode() if text is not None else field.get_db_prep_save(value, connection)
            )
        elif _also_kept(column, value, postgresql):
            row.append(value)
        else:
            row.append(field.get_db_prep_save(value, connection))
    return row


def _also_kept(column: Column, value: Any, postgresql: bool) -> bool:
    """A string Django's own text preparation keeps (a subclass: a choices member), or an
    aware datetime for one of Django's own ``DateTimeField`` on PostgreSQL."""
    if column.plain:
        return isinstance(value, str)
    moment = column.moment and postgresql and value.__class__ is datetime
    return moment and value.tzinfo is not None


def copies(connection: Any) -> bool:
    """Whether rows go to ``connection`` by ``COPY`` (PostgreSQL with psycopg 3)."""
    return connection.vendor == "postgresql" and is_psycopg3


@dataclass(frozen=True)
class Statement:
    """One statement of a batched write: ``COPY … FROM STDIN`` of ``rows``, or ``sql`` run
    with ``params``."""

    sql: str
    rows: Sequence[Sequence[Any]] | None = None
    params: Sequence[Any] | None = None


def send(connection: Any, statements: Iterable[Statement], raw: bool = False) -> None:
    """Run ``statements`` in order on ``connection`` (PostgreSQL), logged like any statement
    when queries are logged (``DEBUG``, ``CaptureQueriesContext``). ``raw``: on psycopg's own
    connection, bypassing Django's connection object, which belongs to the thread that opened
    it (``inventory.write_behind`` sends from another thread, inside the same transaction);
    psycopg's errors then reach the caller as they are, not yet turned into Django's."""
    wrapped = nullcontext() if raw else connection.wrap_database_errors
    opened = connection.connection.cursor() if raw else connection.cursor()
    with wrapped, opened as cursor:
        # COPY goes to psycopg's own cursor (Django's has no ``copy``).
        psycopg_cursor = cursor if raw else cursor.cursor
        for statement in statements:
            start = time.monotonic()
            if statement.rows is None:
                cursor.execute(statement.sql, statement.params)
                if not raw:
                    continue  # logged by Django's cursor
            else:
                with psycopg_cursor.copy(statement.sql) as copy:
                    for row in statement.rows:
                        copy.write_row(row)
            if connection.queries_logged:
                connection.queries_log.append(
                    {"sql": statement.sql, "time": f"{time.monotonic() - start:.3f}"}
                )


def insert_statements(
    model: type[models.Model],
    instances: Sequence[models.Model],
    connection: Any,
    with_ids: bool = True,
    cleaned: bool = False,
) -> list[Statement]:
    """The ``COPY`` inserting ``instances`` (PostgreSQL); with ``with_ids`` their ids are
    drawn from the table's sequence now (one query) and set on them. Values are prepared
    now too: preparing a value may query (a vocabulary), and the connection takes no other
    statement during a ``COPY``."""
    meta = model._meta
    quote = connection.ops.quote_name
    plan = [column for column in columns(model).values() if not column.field.primary_key]
    if with_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(instances)],
            )
            for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = pk
        plan = [columns(model)[meta.pk.name], *plan]
    rows = prepared_rows(plan, instances, connection, True, cleaned)
    listed = ", ".join(quote(column.field.column) for column in plan)
    return [Statement(f"COPY {quote(meta.db_table)} ({listed}) FROM STDIN", rows)]


def stored(instances: Iterable[models.Model], using: str) -> None:
    """Mark inserted ``instances`` as stored rows (as ``bulk_create`` leaves them)."""
    for instance in instances:
        instance._state.adding = False
        instance._state.db = using


def insert_rows(
    model: type[models.Model],
    instances: Sequence[models.Model],
    using: str | None = None,
    with_ids: bool = True,
    cleaned: bool = False,
) -> None:
    """Insert new ``instances``; with ``with_ids``, each gets its id (and is then a stored
    row, ``_state.adding`` off). ``cleaned``: the instances were validated (``full_clean``
    or the import's checks), so their text values are stored as they are."""
    if not instances:
        return
    using = using or router.db_for_write(model)
    connection = connections[using]
    if not copies(connection):
        model._default_manager.using(using).bulk_create(instances, batch_size=500)
        return
    send(connection, insert_statements(model, instances, connection, with_ids, cleaned))
    if with_ids:
        stored(instances, using)


def update_statements(
    model: type[models.Model],
    instances: Sequence[models.Model],
    names: Sequence[str],
    connection: Any,
    cleaned: bool = False,
) -> list[Statement]:
    """The statements writing the fields ``names`` of ``instances`` on PostgreSQL: their
    values by ``COPY`` into a temporary table, then one ``UPDATE … FROM`` joining it by id."""
    table, pk, written, rows = _updated_values(model, instances, names, connection, cleaned)
    quote = connection.ops.quote_name
    temp, listed = quote(TEMP_TABLE), ", ".join([pk, *written])
    assignments = ", ".join(f"{column} = changed.{column}" for column in written)
    return [
        Statement(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        ),
        Statement(f"COPY {temp} ({listed}) FROM STDIN", rows),
        Statement(
            f"UPDATE {table} SET {assignments} FROM {temp} AS changed "
            f"WHERE {table}.{pk} = changed.{pk}"
        ),
        Statement(f"DROP TABLE {temp}"),
    ]


def _updated_values(
    model: type[models.Model],
    instances: Sequence[models.Model],
    names: Sequence[str],
    connection: Any,
    cleaned: bool,
) -> tuple[str, str, list[str], list[list[Any]]]:
    """The quoted table, id column and written columns of an update of the fields ``names``,
    and each instance's row: its id, then those fields' database values."""
    meta = model._meta
    plan = [columns(model)[meta.pk.name], *(columns(model)[name] for name in names)]
    rows = prepared_rows(plan, instances, connection, None, cleaned)
    quote = connection.ops.quote_name
    written = [quote(column.field.column) for column in plan[1:]]
    return quote(meta.db_table), quote(meta.pk.column), written, rows


def update_rows(
    model: type[models.Model],
    instances: Sequence[models.Model],
    names: Sequence[str],
    cleaned: bool = False,
) -> None:
    """Write the fields ``names`` of ``instances`` (rows that exist) in one statement
    (``cleaned``: as in ``insert_rows``)."""
    if not instances:
        return
    connection = connections[router.db_for_write(model)]
    if copies(connection):
        send(connection, update_statements(model, instances, names, connection, cleaned))
        return
    table, pk, written, rows = _updated_values(model, instances, names, connection, cleaned)
    assignments = ", ".join(f"{column} = %s" for column in written)
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
            [[*row[1:], row[0]] for row in rows],
        )
