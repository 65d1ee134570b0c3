"""Which columns a list page shows: the column chooser and the ``columns=`` parameter.

The choices come from the entity's list declaration: its table columns (``table_model()``,
shown by default) and its other stored, single-line fields (paths, URLs, tags, created…),
offered as extra columns. Columns always appear in declaration order, whatever order the
parameter names them in; ``name`` is always shown, as the link to the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from ..listing import Field
from .entities import Inventory

COLUMNS_PARAM = "columns"
#: The column chooser's copy of the list query its choice applies to (unpacked at once).
KEEP_PARAM = "keep"
#: Always shown: the row's link to its detail page.
REQUIRED_COLUMN = "name"
#: Field types that do not fit in a table cell (shown on the detail page only).
NOT_CELLS = ("json", "text")


@dataclass(frozen=True)
class ColumnChoice:
    name: str
    label: str
    default: bool
    chosen: bool

    @property
    def required(self) -> bool:
        return self.name == REQUIRED_COLUMN


def choosable_fields(inventory: Inventory) -> list[Field]:
    """The declared fields a table can show, in declaration order."""
    return [
        item
        for item in inventory.declaration.fields
        if item.column or (item.source is not None and item.type not in NOT_CELLS)
    ]


def default_columns(inventory: Inventory) -> list[str]:
    return [entry["field"] for entry in inventory.declaration.table_model(with_options=False)]


def requested(params: QueryDict) -> list[str] | None:
    """The column names the query asks for (repeated or comma-separated), ``None`` if none."""
    if COLUMNS_PARAM not in params:
        return None
    names = [name.strip() for value in params.getlist(COLUMNS_PARAM) for name in value.split(",")]
    return [name for name in names if name]


def parse_columns(inventory: Inventory, params: QueryDict) -> tuple[list[str], list[str]]:
    """The shown columns in declaration order, and a message per unknown name (left out)."""
    names = requested(params)
    if names is None:
        return default_columns(inventory), []
    known = [item.name for item in choosable_fields(inventory)]
    warnings = [
        f"unknown column {name!r} left out; known columns: {', '.join(known)}"
        for name in dict.fromkeys(names)
        if name not in known
    ]
    wanted = {*names, REQUIRED_COLUMN}
    return [name for name in known if name in wanted], warnings


def canonical_value(inventory: Inventory, columns: list[str]) -> str | None:
    """The ``columns=`` value for these columns, ``None`` when they are the default ones."""
    return None if columns == default_columns(inventory) else ",".join(columns)


def canonical_params(inventory: Inventory, params: QueryDict) -> QueryDict:
    """``params`` with the columns as one comma-separated value in declaration order, and
    without it when the choice is the default (clean URLs, as the filter form makes them)."""
    result = params.copy()
    if COLUMNS_PARAM not in params:
        return result
    columns, _ = parse_columns(inventory, params)
    value = canonical_value(inventory, columns)
    if value is None:
        result.pop(COLUMNS_PARAM)
    else:
        result.setlist(COLUMNS_PARAM, [value])
    return result


def column_choices(inventory: Inventory, shown: list[str]) -> list[ColumnChoice]:
    defaults = set(default_columns(inventory))
    return [
        ColumnChoice(item.name, item.label, item.name in defaults, item.name in shown)
        for item in choosable_fields(inventory)
    ]
