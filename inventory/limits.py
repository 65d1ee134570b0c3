"""The size limits of stored fields, read from the model fields that enforce them, and the
bound they put on a list response.

Every text field declares ``max_length`` and every JSON field a ``MaxJsonBytesValidator``;
model validation enforces both in every door. A row can therefore not exceed
``worst_row_bytes`` as JSON, and a list page (at most ``MAX_PAGE_SIZE`` rows) not
``worst_page_bytes``; ``LIST_PAGE_BOUND_BYTES`` is the bound the limits are chosen to keep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import models

from . import capabilities as caps
from .declarations import DECLARATIONS
from .listing import MAX_PAGE_SIZE, ListDeclaration
from .models.fields import json_max_bytes

#: The most bytes one character of text can take in a JSON response: a control character
#: such as U+0001 is escaped as ``\u0001``.
BYTES_PER_CHARACTER = 6
#: A number, a boolean, ``null`` or an ISO timestamp with its quotes.
SCALAR_BYTES = 40
#: A derived list of sentences (a registered row's ``warnings``): at most a few sentences
#: quoting at most three names, each character of a name at most 11 bytes once escaped.
DERIVED_LIST_BYTES = 16 * 1024
#: What a page of any entity's list stays under, at the largest page size.
LIST_PAGE_BOUND_BYTES = 24 * 1024 * 1024


@dataclass(frozen=True)
class Limit:
    entity: str
    field: str
    limit: int
    unit: str  # "characters" or "bytes as JSON"


def field_limits(declaration: ListDeclaration) -> list[Limit]:
    """The declared limit of every stored text and JSON field of an entity's rows."""
    entity = declaration.model._meta.db_table
    limits: list[Limit] = []
    for item in declaration.fields:
        if item.source is None or "__" in item.source:
            continue  # derived, or stored on another entity (with its own limits)
        field = declaration.model._meta.get_field(item.source)
        if isinstance(field, models.JSONField):
            limit = json_max_bytes(field)
            assert limit is not None, f"{field} declares no size limit"
            limits.append(Limit(entity, item.name, limit, "bytes as JSON"))
        elif isinstance(field, models.CharField | models.TextField):
            assert field.max_length, f"{field} declares no max_length"
            limits.append(Limit(entity, item.name, field.max_length, "characters"))
    return limits


def worst_row_bytes(declaration: ListDeclaration) -> int:
    """An upper bound of one row's size in a JSON response, every field at its limit."""
    limits = {limit.field: limit for limit in field_limits(declaration)}
    total = 2  # {}
    for item in declaration.fields:
        total += len(json.dumps(item.name)) + 2  # "key": and the comma
        limit = limits.get(item.name)
        if item.name == "runtime_methods":  # derived from capabilities: at most every method
            total += len(json.dumps(caps.runtime_methods(caps.CAPABILITIES)))
        elif item.source is None:
            total += DERIVED_LIST_BYTES if item.type == "list" else SCALAR_BYTES
        elif "__" in item.source:
            total += _related_bytes(declaration.model, item.source)
        elif limit is None:
            total += SCALAR_BYTES
        elif limit.unit == "characters":
            total += 2 + BYTES_PER_CHARACTER * limit.limit
        else:
            total += limit.limit
    return total


def _related_bytes(model: type[models.Model], path: str) -> int:
    """The most bytes of a value read through a relation (``engine__status``)."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    field = model._meta.get_field(name)
    if isinstance(field, models.CharField | models.TextField) and field.max_length:
        return 2 + BYTES_PER_CHARACTER * field.max_length
    return SCALAR_BYTES


def worst_page_bytes(declaration: ListDeclaration) -> int:
    """An upper bound of the ``rows`` of one list page at the largest page size."""
    return MAX_PAGE_SIZE * (worst_row_bytes(declaration) + 1)


def all_limits() -> list[Limit]:
    return [limit for declaration in DECLARATIONS.values() for limit in field_limits(declaration)]


def markdown_table() -> str:
    """The limits as the README's table (a test keeps the two equal)."""
    lines = ["| Entity | Text fields (characters) | JSON fields (bytes as JSON) |", "|---|---|---|"]
    for name, declaration in DECLARATIONS.items():
        limits = field_limits(declaration)
        text = ", ".join(f"`{x.field}` {x.limit}" for x in limits if x.unit == "characters")
        data = ", ".join(f"`{x.field}` {x.limit}" for x in limits if x.unit != "characters")
        lines.append(f"| `{name}` | {text} | {data} |")
    return "\n".join(lines)
