"""Trigram GIN indexes (PostgreSQL ``pg_trgm``) for the substring filters, for migrations.

A substring filter compiles to ``UPPER(col::text) LIKE UPPER('%…%')`` on PostgreSQL; an index
on that very expression with ``gin_trgm_ops`` serves it. Other databases skip the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def create_trigram_indexes(schema_editor: Any, columns: Iterable[tuple[str, str]]) -> None:
    """``CREATE INDEX IF NOT EXISTS`` for each ``(table, column)``; nothing off PostgreSQL."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in columns:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" '
            f'ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(schema_editor: Any, columns: Iterable[tuple[str, str]]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in columns:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')
