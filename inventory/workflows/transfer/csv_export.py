"""A list's rows as the CSV export writes them: as the SDK gives them, except that a row of
another entity is named, not numbered (``engine`` and ``available_model`` hold names where
the rows hold ``engine_id`` and ``available_model_id``), as in the inventory document. So a
CSV export of registered models imports back (``parse`` reads it), rows matched by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ...listing import ListDeclaration
from .document import SECTIONS, Reference

CHUNK_ROWS = 1000


def _references(declaration: ListDeclaration) -> tuple[Reference, ...]:
    return next((s.references for s in SECTIONS if s.declaration is declaration), ())


def csv_columns(declaration: ListDeclaration) -> list[str]:
    """The export's columns: the declared fields, each reference under its name key."""
    by_payload = {ref.payload_key: ref.key for ref in _references(declaration)}
    return [by_payload.get(item.name, item.name) for item in declaration.fields]


def csv_records(
    declaration: ListDeclaration, rows: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """``rows`` with each reference id replaced by the referenced row's name (one query per
    reference and ``CHUNK_ROWS`` rows)."""
    references = _references(declaration)
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        names: dict[str, dict[Any, str]] = {}
        for ref in references:
            ids = {row[ref.payload_key] for row in chunk if row[ref.payload_key] is not None}
            found = ref.model._default_manager.filter(pk__in=ids).values_list("pk", "name")
            names[ref.key] = dict(found) if ids else {}
        for row in chunk:
            for ref in references:
                row[ref.key] = names[ref.key].get(row.pop(ref.payload_key))
            yield row
