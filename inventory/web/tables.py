"""django-tables2 tables generated from each declaration's ``table_model()``.

One column type renders every declared column by its declared type; sorting is delegated to
the declaration (``ListDeclaration.order_by``, with ``id`` as tie-breaker), so the pages sort
exactly like the SDK and the API.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.base import BoundColumn
from django_tables2.utils import AttributeDict, signature

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
            value = self.value_of(record)
        return render_value(self.inventory, self.item, value, record)

    def value_of(self, record: Any) -> Any:
        """The stored value (or the related row) the column shows for ``record``."""
        value = record
        for name in self.path:
            value = getattr(value, name, None)
        return value

    def cell(self, record: Any, default: Any) -> Any:
        """What ``render`` shows for ``record``, read straight from the record (the stored
        value, or the related row), ``default`` for an empty one."""
        return self.cell_of(self.value_of(record), record, default)

    def cell_of(self, value: Any, record: Any, default: Any) -> Any:
        if value in self.empty_values:
            return default
        return render_value(self.inventory, self.item, value, record)

    def cell_function(self, default: Any) -> Callable[[Any], str]:
        """The escaped cell of a record, compiled for one page: a row's own name links to
        the row, an id is its digits, and any other cell but JSON depends on the value
        alone, so that each distinct value of the page is rendered once."""
        empty = conditional_escape(default)
        empty_values = self.empty_values
        value_of = self.value_of
        if self.item.name == "name":
            detail_url = self.inventory.url

            def name_cell(record: Any) -> str:
                value = value_of(record)
                if value in empty_values:
                    return empty
                url = conditional_escape(detail_url("detail", record.pk))
                return f'<a href="{url}">{conditional_escape(value)}</a>'

            return name_cell
        if self.item.name == "id":
            return lambda record: empty if (pk := value_of(record)) in empty_values else str(pk)
        if self.item.type == "json":
            return lambda record: conditional_escape(self.cell(record, default))
        memo: dict[Any, str] = {}

        def by_value(record: Any) -> str:
            value = value_of(record)
            key = (type(value), value)
            try:
                return memo[key]
            except KeyError:
                html = memo[key] = conditional_escape(self.cell_of(value, record, default))
                return html
            except TypeError:  # an unhashable value
                return conditional_escape(self.cell_of(value, record, default))

        return by_value


class SelectColumn(tables.CheckBoxColumn):
    """django-tables2's row checkbox, its attributes worked out once per column: each row
    only puts its own value in (the same HTML as ``CheckBoxColumn.render``)."""

    VALUE = "\x00value\x00"

    @cached_property
    def _around_value(self) -> tuple[str, str] | None:
        """The HTML before and after the value, or ``None`` when attributes are computed
        per row (a callable) or the box may be ticked."""
        specific = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if self.checked is not None or any(callable(value) for value in specific.values()):
            return None
        attrs = {"type": "checkbox", "name": "", "value": self.VALUE, **specific}
        before, after = format_html_join(" ", '{}="{}"', attrs.items()).split(self.VALUE)
        return f"<input {before}", f"{after} />"

    def render(self, value: Any, bound_column: BoundColumn, record: Any) -> SafeString:
        around = self._around_value
        specific = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if around is None or "name" not in specific:
            return super().render(value, bound_column, record)
        return mark_safe(f"{around[0]}{conditional_escape(value)}{around[1]}")

    def cell_function(self, bound_column: BoundColumn) -> Callable[[Any], str]:
        """``render`` of a record's checkbox, compiled for one page."""
        around = self._around_value
        specific = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if around is None or "name" not in specific:
            return lambda record: conditional_escape(
                self.render(value=record.pk, bound_column=bound_column, record=record)
            )
        before, after = around
        return lambda record: f"{before}{conditional_escape(record.pk)}{after}"


class PageTable(tables.Table):
    """A table whose rows are rendered by ``body_html`` in one pass.

    django-tables2 renders each cell through a template loop and ``call_with_appropriate``,
    which inspects the render method's signature for every cell. Here each column is
    compiled once per page into a function of the record (``cell_function``): its ``<td>``
    attributes and link URLs are worked out once, a column whose cells depend on the value
    alone (status, capabilities, sizes, engine…) renders each distinct value of the page
    once, and the row attributes are computed without building an ``AttributeDict`` per
    row. The HTML is the same as django-tables2's, cell for cell.
    """

    def before_render(self, request: Any) -> None:
        """Keep the request the table is rendered for: its sort links keep its query."""
        self.rendered_for = request

    def head_html(self) -> SafeString:
        """The header cells: each sortable column links to the same query sorted by it (the
        next direction of ``order_by_alias``), the sorted one says so to screen readers."""
        request = getattr(self, "rendered_for", None)
        params = dict(request.GET) if request is not None else {}
        cells = []
        for column in self.columns:
            attrs = column.attrs["th"].as_html()
            header = conditional_escape(column.header)
            sort = ""
            if column.is_ordered:
                descending = column.order_by_alias.is_descending
                sort = f' aria-sort="{"descending" if descending else "ascending"}"'
            if not column.orderable:
                cells.append(f'<th {attrs} scope="col"{sort}>{header}</th>')
                continue
            query = {**params, self.prefixed_order_by_field: column.order_by_alias.next}
            href = conditional_escape("?" + urlencode(query, doseq=True))
            if not column.is_ordered:
                icon = "bi-arrow-down-up"
            else:
                icon = "bi-sort-down" if column.order_by_alias.is_descending else "bi-sort-up"
            cells.append(
                f'<th {attrs} scope="col"{sort}><a href="{href}" class="sort-link"'
                f' data-sort="{conditional_escape(column.name)}">{header}'
                f' <i class="bi {icon} sort-icon"></i></a></th>'
            )
        return mark_safe("".join(cells))

    def body_html(self) -> SafeString:
        cells = [
            (f"<td {column.attrs['td'].as_html()}>", cell_function(column))
            for column in self.columns
        ]
        row_attrs = self._row_attrs_html()
        rows = []
        for counter, row in enumerate(self.paginated_rows):
            record = row.record
            parts = [f"<tr {row_attrs(record, counter)}>"]
            for td, cell in cells:
                parts.append(td)
                parts.append(cell(record))
                parts.append("</td>")
            parts.append("</tr>")
            rows.append("".join(parts))
        return mark_safe("".join(rows))

    def _row_attrs_html(self) -> Callable[[Any, int], str]:
        """``BoundRow.attrs.as_html`` of the row showing a record, its position on the page
        given: the signature of each computed attribute is inspected once per page, and the
        static ones are escaped once (the same attributes, in the same order, the
        ``even``/``odd`` class last)."""
        plan: list[tuple[str, Any, tuple[str, ...] | None, bool]] = []
        for key, value in self.row_attrs.items():
            if isinstance(value, dict) or (callable(value) and not inspect.isroutine(value)):
                rows = list(self.paginated_rows)
                return lambda record, counter: rows[counter].attrs.as_html()
            if callable(value):
                wanted, catch_all = signature(value)
                plan.append((key, value, wanted, catch_all is not None))
            else:
                plan.append((key, value, None, False))

        def render(record: Any, counter: int) -> str:
            given = {"table": self, "record": record}
            attrs: dict[str, Any] = {}
            for key, value, wanted, catch_all in plan:
                if wanted is None:
                    attrs[key] = value
                elif catch_all:
                    attrs[key] = value(**given)
                elif all(name in given for name in wanted):
                    attrs[key] = value(**{name: given[name] for name in wanted})
                else:
                    attrs[key] = None
            css = "odd" if counter % 2 else "even"
            attrs["class"] = f"{attrs['class']} {css}" if attrs.get("class") else css
            return " ".join(
                f'{conditional_escape(key)}="{conditional_escape(value)}"'
                for key, value in attrs.items()
                if value is not None and key not in AttributeDict.blacklist
            )

        return render


def cell_function(column: BoundColumn) -> Callable[[Any], str]:
    """The escaped HTML of one column's cell for a record, compiled for one page."""
    declared = column.column
    if isinstance(declared, SelectColumn | RowActionsColumn):
        return declared.cell_function(column)
    if not isinstance(declared, DeclaredColumn):
        return lambda record: conditional_escape(
            declared.render(value=record.pk, bound_column=column, record=record)
        )
    return declared.cell_function(column.default)


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
        local = timezone.localtime(value)  # "Y-m-d H:i", without Django's format parser
        return f"{local.year:04d}-{local:%m-%d %H:%M}"
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
    columns[SELECT_COLUMN] = SelectColumn(
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
