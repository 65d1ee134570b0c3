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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, models, router
from django.db.backends.postgresql.psycopg_any import is_psycopg3

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


_PLAIN_TEXT = {
    (klass.to_python, klass.get_prep_value) for klass in (models.CharField, models.TextField)
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
        )
    return result


def prepared(
    plan: Sequence[Column], instance: models.Model, connection: Any, add: bool | None, cleaned: bool
) -> list[Any]:
    """The database values of ``instance`` for ``plan`` (``add``: run ``pre_save`` as an insert
    or an update; ``None``: read the values as they are)."""
    row = []
    for column in plan:
        field = column.field
        if add is not None and column.stamps:
            value = field.pre_save(instance, add)
        else:
            value = getattr(instance, field.attname)
        if column.text and value.__class__ is str and (cleaned or column.plain):
            row.append(value)
        else:
            row.append(field.get_db_prep_save(value, connection))
    return row


def _copies(connection: Any) -> bool:
    return connection.vendor == "postgresql" and is_psycopg3


def _copy(connection: Any, cursor: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """``COPY … FROM STDIN`` of ``rows`` on psycopg's own cursor, logged like any statement
    when queries are logged (``DEBUG``, ``CaptureQueriesContext``), so that query counts and
    the debug log see it."""
    start = time.monotonic()
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})


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
    if not _copies(connection):
        model._default_manager.using(using).bulk_create(instances, batch_size=500)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    plan = [column for column in columns(model).values() if not column.field.primary_key]
    # COPY goes to psycopg's own cursor: its errors are turned into Django's here.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(instances)],
            )
            for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = pk
            plan = [columns(model)[meta.pk.name], *plan]
        # Prepared before the COPY starts: preparing a value may query (a vocabulary), and
        # the connection takes no other statement during a COPY.
        rows = [prepared(plan, instance, connection, True, cleaned) for instance in instances]
        listed = ", ".join(quote(column.field.column) for column in plan)
        _copy(connection, cursor, f"COPY {quote(meta.db_table)} ({listed}) FROM STDIN", rows)
    if with_ids:
        for instance in instances:
            instance._state.adding = False
            instance._state.db = using


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
    meta = model._meta
    plan = [columns(model)[meta.pk.name], *(columns(model)[name] for name in names)]
    fields = [column.field for column in plan[1:]]
    connection = connections[router.db_for_write(model)]
    rows = [prepared(plan, instance, connection, None, cleaned) for instance in instances]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    written = [quote(field.column) for field in fields]
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if not _copies(connection):
            assignments = ", ".join(f"{column} = %s" for column in written)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                [[*row[1:], row[0]] for row in rows],
            )
            return
        temp, listed = quote(TEMP_TABLE), ", ".join([pk, *written])
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        _copy(connection, cursor, f"COPY {temp} ({listed}) FROM STDIN", rows)
        assignments = ", ".join(f"{column} = changed.{column}" for column in written)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {temp} AS changed "
            f"WHERE {table}.{pk} = changed.{pk}"
        )
        cursor.execute(f"DROP TABLE {temp}")
