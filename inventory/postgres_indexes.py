"""Indexes only PostgreSQL has, for migrations: GIN indexes on the expressions the list
filters compile to, and expression indexes with a collation. Created with ``IF NOT EXISTS``
and dropped by name; other databases skip the SQL.

* A whole-token filter on a comma-separated column compiles to
  ``string_to_array(col, ',') @> ARRAY[...]`` (``token_index``).
* A substring filter compiles to ``UPPER(col::text) LIKE UPPER('%…%')``; a trigram index on
  that very expression (``gin_trgm_ops``, extension ``pg_trgm``) serves it (``trigram_index``).
  The extension is created when the role may (it is a trusted extension: the database owner
  may) and never dropped, since every later trigram index depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, transaction

#: ``(index name, table, what follows the table in CREATE INDEX)``
IndexSql = tuple[str, str, str]


def token_index(table: str, column: str) -> IndexSql:
    return (f"{table}_{column}_gin", table, f"USING gin (string_to_array({column}, ','))")


def trigram_index(table: str, column: str) -> IndexSql:
    return (f"{table}_{column}_trgm", table, f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def trigram_indexes(columns: Iterable[tuple[str, str]]) -> list[IndexSql]:
    return [trigram_index(table, column) for table, column in columns]


def trigram_available(schema_editor: Any) -> bool:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm`` in a savepoint: whether it is there now."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return False
    return True


def create_trigram_indexes(schema_editor: Any, columns: Iterable[tuple[str, str]]) -> None:
    """Trigram indexes on ``(table, column)`` pairs; none where ``pg_trgm`` is unavailable."""
    if trigram_available(schema_editor):
        create_indexes(schema_editor, trigram_indexes(columns))


def create_indexes(schema_editor: Any, indexes: Iterable[IndexSql]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, definition in indexes:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" {definition}')


def drop_indexes(schema_editor: Any, indexes: Iterable[IndexSql]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in indexes:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
