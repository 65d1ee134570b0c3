"""django-tables2 tables generated from each declaration's ``table_model()``.

One column type renders every declared column by its declared type; sorting is delegated to
the declaration (``ListDeclaration.order_by``, with ``id`` as tie-breaker), so the pages sort
exactly like the SDK and the API.
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.base import BoundColumn

from ..listing import Field
from . import presentation as show
from .columns import choosable_fields, default_columns
from .entities import BY_MODEL, INVENTORIES, Inventory
from .row_actions import ACTIONS_COLUMN, RowActionsColumn

SORT_PARAM = "sort"
#: The row checkboxes of the list pages, read by the bulk form (hidden elsewhere).
SELECT_COLUMN = "select"
NUMERIC_TYPES = ("integer",)
NOWRAP_TYPES = ("reference", "datetime", "boolean", "choice")
#: Shown as status badges: the row's status and, on registered models, its engine's.
STATUS_FIELDS = ("status", "engine_status")


class DeclaredColumn(tables.Column):
    """A column for one declared field of an inventory."""

    def __init__(self, inventory: Inventory, item: Field, entry: dict[str, Any]):
        self.inventory = inventory
        self.item = item
        relation = inventory.relations.get(item.name)
        numeric = item.type in NUMERIC_TYPES and item.name != "id"
        nowrap = numeric or item.type in NOWRAP_TYPES or item.name == "status"
        cell = " ".join(
            filter(None, ["text-end" if numeric else "", "text-nowrap" if nowrap else ""])
        )
        accessor = relation.name if relation else item.source
        self.path = tuple(accessor.split("__"))
        super().__init__(
            accessor=accessor,
            verbose_name=item.label,
            orderable=entry["sortable"],
            attrs={
                "th": {"class": "text-end" if numeric else "", "data-field": item.name},
                "td": {"class": cell, "data-field": item.name},
            },
        )

    def order(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        sort = {"field": self.item.name, "direction": "desc" if is_descending else "asc"}
        return self.inventory.declaration.order_by(queryset, sort), True

    def render(self, value: Any, record: Any) -> Any:
        if self.item.name not in self.inventory.relations:
            # The stored value, not django-tables2's choice label ("active", not "Active").
            value = getattr(record, self.item.source)
        return render_value(self.inventory, self.item, value, record)

    def cell(self, record: Any, default: Any) -> Any:
        """What ``render`` shows for ``record``, read straight from the record (the stored
        value, or the related row), ``default`` for an empty one."""
        value = record
        for name in self.path:
            value = getattr(value, name, None)
        if value in self.empty_values:
            return default
        return render_value(self.inventory, self.item, value, record)


class PageTable(tables.Table):
    """A table whose rows are rendered by ``body_html`` in one pass.

    django-tables2 renders each cell through a template loop and ``call_with_appropriate``,
    which inspects the render method's signature for every cell; here the ``<td>``
    attributes are computed once per column and each cell calls its column directly, which
    makes a 200-row page several times cheaper with the same HTML.
    """

    def body_html(self) -> SafeString:
        columns = [(column, column.attrs["td"].as_html()) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = "".join(
                format_html("<td {}>{}</td>", td, self._cell(column, record))
                for column, td in columns
            )
            rows.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe(cells)))
        return mark_safe("".join(rows))

    @staticmethod
    def _cell(column: BoundColumn, record: Any) -> Any:
        if isinstance(column.column, DeclaredColumn):
            return column.column.cell(record, column.default)
        return column.column.render(value=record.pk, bound_column=column, record=record)


def render_value(inventory: Inventory, item: Field, value: Any, record: Any = None) -> Any:
    """The HTML (or text) of one declared value, by declared type."""
    if value is None or value == "":
        return show.EMPTY
    if item.name == "name" and record is not None:
        return show.link(inventory.url("detail", record.pk), value)
    if item.type == "reference":
        target = BY_MODEL.get(type(value))
        if target is None:
            return str(value)
        return show.link(target.url("detail", value.pk), value, title=str(value))
    if item.type == "boolean":
        return show.boolean_icon(value)
    if item.name in STATUS_FIELDS:
        return show.status_badge(value)
    if item.type == "capabilities":
        return show.capability_badges(value)
    if item.type == "integer" and item.name.endswith("_mb"):
        return show.memory_need(item.name, value)
    if item.type == "datetime":
        return format_date(timezone.localtime(value), "Y-m-d H:i")
    if item.type == "json":
        return show.pretty_json(item.serialize(value, {}))
    if item.type == "list":
        return show.code_badges(value if isinstance(value, list) else value.split(","))
    return value


def table_for(inventory: Inventory, choosable: bool = False) -> type[tables.Table]:
    """The table class of one inventory: a column per ``table_model()`` entry and the row
    checkboxes; with ``choosable``, a column per field the column chooser offers and the
    row action menus too (the list page excludes those not chosen)."""
    sortable = set(inventory.declaration.sort_fields)
    fields = (
        choosable_fields(inventory)
        if choosable
        else [inventory.declaration.by_name[name] for name in default_columns(inventory)]
    )
    columns = {
        item.name: DeclaredColumn(inventory, item, {"sortable": item.name in sortable})
        for item in fields
    }
    columns[SELECT_COLUMN] = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th__input": {"data-select-page": "", "aria-label": "Select every row of this page"},
            "td__input": {"form": "bulk-form", "name": "ids", "aria-label": "Select row"},
            "th": {"class": "select-column"},
        },
    )
    meta = type(
        "Meta",
        (),
        {
            "sequence": (SELECT_COLUMN, "...", ACTIONS_COLUMN)
            if choosable
            else (SELECT_COLUMN, "..."),
            "template_name": "inventory/table.html",
            "order_by_field": SORT_PARAM,
            "attrs": {"class": "table table-hover table-sm align-middle mb-0 inventory-table"},
            "row_attrs": {"data-id": lambda record: record.pk},
            "empty_text": f"No {inventory.title.lower()}.",
        },
    )
    if choosable:
        columns[ACTIONS_COLUMN] = RowActionsColumn()
    name = f"{inventory.model.__name__}Table"
    return type(name, (PageTable,), {**columns, "Meta": meta})


TABLES: dict[str, type[tables.Table]] = {item.key: table_for(item) for item in INVENTORIES}
#: The list pages' tables: every column the chooser offers, and the row action menus.
LIST_TABLES: dict[str, type[tables.Table]] = {
    item.key: table_for(item, choosable=True) for item in INVENTORIES
}
