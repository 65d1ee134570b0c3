"""django-tables2 tables generated from each declaration's ``table_model()``.

One column type renders every declared column by its declared type; sorting is delegated to
the declaration (``ListDeclaration.order_by``, with ``id`` as tie-breaker), so the pages sort
exactly like the SDK and the API.
"""

from __future__ import annotations

import datetime
import inspect
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.base import BoundColumn
from django_tables2.utils import AttributeDict, signature

from ..listing import Field
from . import presentation as show
from .column_copies import SharedOnCopy
from .columns import choosable_fields, default_columns
from .entities import BY_MODEL, INVENTORIES, Inventory, cell_alias
from .page_records import page_records
from .paging import PageFirstPaginator
from .row_actions import ACTIONS_COLUMN, RowActionsColumn

SORT_PARAM = "sort"
#: The row checkboxes of the list pages, read by the bulk form (hidden elsewhere).
SELECT_COLUMN = "select"
NUMERIC_TYPES = ("integer",)
NOWRAP_TYPES = ("reference", "datetime", "boolean", "choice")
#: Shown as status badges: the row's status and, on registered models, its engine's.
STATUS_FIELDS = ("status", "engine_status")


class DeclaredColumn(SharedOnCopy, tables.Column):
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
        self.relation = relation
        if relation is not None:
            # A reference shows the referenced row's id and name, read by the page's query.
            reads = (relation.attname, cell_alias(f"{relation.name}__name"))
        elif "__" in (item.source or ""):
            reads = (cell_alias(item.source),)
        else:
            reads = (item.source,)
        self.getter = attrgetter(*reads)
        accessor = reads[0]
        super().__init__(
            accessor=accessor,
            verbose_name=item.label,
            orderable=entry["sortable"],
            attrs={
                "th": {"class": "text-end" if numeric else "", "data-field": item.name},
                "td": {"class": cell, "data-field": item.name},
            },
        )

    def shared_on_copy(self) -> tuple[Any, ...]:
        """The inventory and declared field (copying them would copy the whole declaration
        for every page), the foreign key and the getter, shared by the column's copies."""
        return (*super().shared_on_copy(), self.inventory, self.item, self.relation, self.getter)

    def order(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        sort = {"field": self.item.name, "direction": "desc" if is_descending else "asc"}
        return self.inventory.declaration.order_by(queryset, sort), True

    def render(self, value: Any, record: Any) -> Any:
        # The stored value, not django-tables2's choice label ("active", not "Active").
        return self.render_cell(self.value_of(record), record)

    def value_of(self, record: Any) -> Any:
        """The value the column shows for a row of ``Inventory.table_queryset``: the stored
        value, or for a reference ``(id, name)`` of the referenced row (``None`` if none)."""
        value = self.getter(record)
        if self.relation is not None and value[0] is None:
            return None
        return value

    def cell_of(self, value: Any, record: Any, default: Any) -> Any:
        """What ``render`` shows for a value of ``record``, ``default`` for an empty one."""
        if value in self.empty_values:
            return default
        return self.render_cell(value, record)

    def render_cell(self, value: Any, record: Any) -> Any:
        if self.relation is None or value is None:
            return render_value(self.inventory, self.item, value, record)
        return reference_link(self.relation.related_model, *value)

    def cells(self, records: list[Any], default: Any) -> list[str]:
        """The escaped cells of a page's records: a row's own name links to the row, an id
        is its digits, and any other cell but JSON depends on the value alone, so that each
        distinct value of the page is rendered once."""
        empty = conditional_escape(default)
        empty_values = self.empty_values
        values = self.values_of(records)
        if self.item.name == "name":
            before, after = map(show.escape_text, self.inventory.url_around_pk("detail"))
            return [
                empty
                if value in empty_values
                else f'<a href="{before}{record.pk}{after}">{show.escape_text(value)}</a>'
                for record, value in zip(records, values, strict=True)
            ]
        if self.item.name == "id":
            return [empty if pk in empty_values else str(pk) for pk in values]
        if self.item.type == "datetime":  # distinct in each row: the time zone looked up once
            zone = timezone.get_current_timezone()
            return [
                empty if value in empty_values else minute(value.astimezone(zone))
                for value in values
            ]
        render = self.cell_of
        if self.item.type == "json":
            return [
                show.escape_text(render(value, record, default))
                for record, value in zip(records, values, strict=True)
            ]
        memo: dict[Any, str] = {}
        cells = []
        for record, value in zip(records, values, strict=True):
            try:
                key = (type(value), value)
                html = memo.get(key)
                if html is None:
                    html = memo[key] = show.escape_text(render(value, record, default))
            except TypeError:  # an unhashable value
                html = show.escape_text(render(value, record, default))
            cells.append(html)
        return cells

    def values_of(self, records: list[Any]) -> list[Any]:
        """``value_of`` each record."""
        if self.relation is None:
            return list(map(self.getter, records))
        return [None if read[0] is None else read for read in map(self.getter, records)]


class SelectColumn(SharedOnCopy, tables.CheckBoxColumn):
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

    def cells(self, records: list[Any], bound_column: BoundColumn) -> list[str]:
        """``render`` of each record's checkbox."""
        around = self._around_value
        specific = self.attrs.get("td__input") or self.attrs.get("input") or {}
        if around is None or "name" not in specific:
            return [
                conditional_escape(
                    self.render(value=record.pk, bound_column=bound_column, record=record)
                )
                for record in records
            ]
        before, after = around
        return [f"{before}{show.escape_text(record.pk)}{after}" for record in records]


class PageTable(tables.Table):
    """A table whose rows are rendered by ``body_html`` in one pass.

    django-tables2 renders each cell through a template loop and ``call_with_appropriate``,
    which inspects the render method's signature for every cell. Here each column builds
    its cells for the whole page at once (``column_cells``): its ``<td>`` attributes and
    link URLs are worked out once, a column whose cells depend on the value alone (status,
    capabilities, sizes, engine…) renders each distinct value of the page once, and each
    row is one ``%`` format of its attributes and cells. The HTML is the same as
    django-tables2's, cell for cell.
    """

    def paginate(
        self, paginator_class: type[Paginator] = PageFirstPaginator, *args: Any, **kwargs: Any
    ) -> PageTable:
        """Paginate as django-tables2 does, reading the page before counting by default."""
        return super().paginate(paginator_class, *args, **kwargs)

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
        records = page_records(self.paginated_rows.data)  # without a BoundRow each
        if not records:
            return mark_safe("")
        cells = "".join(
            f"<td {column.attrs['td'].as_html()}>".replace("%", "%%") + "%s</td>"
            for column in self.columns
        )
        row_format = f"<tr %s>{cells}</tr>"
        columns = [column_cells(column, records) for column in self.columns]
        rows = zip(self.row_attrs_html(records), *columns, strict=True)
        return mark_safe("".join([row_format % row for row in rows]))

    def row_attrs_html(self, records: list[Any]) -> list[str]:
        """``BoundRow.attrs.as_html`` of each record's row: each computed attribute is
        called with what its signature asks for, its signature inspected once per page (the
        same attributes, in the same order, with the ``even``/``odd`` class)."""
        keyed: list[tuple[str, list[Any]]] = []
        for key, value in self.row_attrs.items():
            if isinstance(value, dict) or (callable(value) and not inspect.isroutine(value)):
                return [row.attrs.as_html() for row in self.paginated_rows]
            if not callable(value):
                keyed.append((key, [value] * len(records)))
                continue
            wanted, catch_all = signature(value)
            if catch_all is not None:
                keyed.append((key, [value(table=self, record=record) for record in records]))
            elif set(wanted) <= {"table", "record"}:
                given = [{"table": self, "record": record} for record in records]
                keyed.append((key, [value(**{name: at[name] for name in wanted}) for at in given]))
            else:
                keyed.append((key, [None] * len(records)))
        if all(key != "class" for key, _ in keyed):
            keyed.append(("class", [None] * len(records)))
        keyed = [(key, values) for key, values in keyed if key not in AttributeDict.blacklist]
        rows = []
        for counter in range(len(records)):
            parity = "odd" if counter % 2 else "even"
            parts = []
            for key, values in keyed:
                value = values[counter]
                if key == "class":
                    value = f"{value} {parity}" if value else parity
                if value is not None:
                    parts.append(f'{show.escape_text(key)}="{show.escape_text(value)}"')
            rows.append(" ".join(parts))
        return rows


def column_cells(column: BoundColumn, records: list[Any]) -> list[str]:
    """The escaped HTML of one column's cells for a page's records."""
    declared = column.column
    if isinstance(declared, SelectColumn | RowActionsColumn):
        return declared.cells(records, column)
    if isinstance(declared, DeclaredColumn):
        return declared.cells(records, column.default)
    return [
        conditional_escape(declared.render(value=record.pk, bound_column=column, record=record))
        for record in records
    ]


def reference_link(model: type, pk: Any, name: str) -> Any:
    """A referenced row by name, linking to its detail page (its name in full as the
    title, where a cell may cut it off); the name alone for a model without pages."""
    target = BY_MODEL.get(model)
    if target is None:
        return name
    return show.link(target.url("detail", pk), name, title=name)


def minute(local: datetime.datetime) -> str:
    """A local time as tables show it: ``Y-m-d H:i``, without Django's format parser."""
    return "%04d-%02d-%02d %02d:%02d" % (  # noqa: UP031 (a third of an f-string's time)
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
    )


def render_value(inventory: Inventory, item: Field, value: Any, record: Any = None) -> Any:
    """The HTML (or text) of one declared value, by declared type."""
    if value is None or value == "":
        return show.EMPTY
    if item.name == "name" and record is not None:
        return show.link(inventory.url("detail", record.pk), value)
    if item.type == "reference":
        return reference_link(type(value), value.pk, str(value))
    if item.type == "boolean":
        return show.boolean_icon(value)
    if item.name in STATUS_FIELDS:
        return show.status_badge(value)
    if item.type == "capabilities":
        return show.capability_badges(value)
    if item.type == "integer" and item.name.endswith("_mb"):
        return show.memory_need(item.name, value)
    if item.type == "datetime":
        return minute(timezone.localtime(value))
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
