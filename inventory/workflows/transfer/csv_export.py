"""A list's rows as the CSV export writes them: as the SDK gives them, except that a row of
another entity is named, not numbered (``engine`` and ``available_model`` hold names where
the rows hold ``engine_id`` and ``available_model_id``), as in the inventory document. So a
CSV export of registered models imports back (``parse`` reads it), rows matched by name.
"""

from __future__ import annotations

from typing import Any

from ...listing import ListDeclaration
from .document import SECTIONS, Reference


def _references(declaration: ListDeclaration) -> tuple[Reference, ...]:
    return next((s.references for s in SECTIONS if s.declaration is declaration), ())


def csv_columns(declaration: ListDeclaration) -> list[str]:
    """The export's columns: the declared fields, each reference under its name key."""
    by_payload = {ref.payload_key: ref.key for ref in _references(declaration)}
    return [by_payload.get(item.name, item.name) for item in declaration.fields]


def named_columns(declaration: ListDeclaration, columns: list[list[Any]]) -> list[list[Any]]:
    """A chunk of rows given column by column (in ``declaration.fields`` order) with each
    reference column's ids replaced by the referenced rows' names: one query per reference
    and chunk."""
    positions = {item.name: index for index, item in enumerate(declaration.fields)}
    named = list(columns)
    for ref in _references(declaration):
        position = positions[ref.payload_key]
        ids = {pk for pk in columns[position] if pk is not None}
        found = ref.model._default_manager.filter(pk__in=ids).values_list("pk", "name")
        names = dict(found) if ids else {}
        named[position] = [names.get(pk) for pk in columns[position]]
    return named
