"""List pages and their exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ... import capabilities as caps
from ...failures import plain_text_error
from ...listing import DEFAULT_PAGE_SIZE, SEARCH_KEY
from .. import presentation as show
from ..columns import (
    COLUMNS_PARAM,
    KEEP_PARAM,
    canonical_params,
    canonical_value,
    column_choices,
    parse_columns,
)
from ..entities import Inventory
from ..export import FORMATS, export_response
from ..forms import style
from ..querying import (
    PAGE_PARAM,
    PAGE_SIZE_CHOICES,
    PAGE_SIZE_PARAM,
    ListQuery,
    parse_list_query,
)
from ..row_actions import ACTIONS_COLUMN, RowMenu, allowed_actions
from ..tables import LIST_TABLES, SELECT_COLUMN, SORT_PARAM
from ..typeahead import make_typeahead
from .access import InventoryView
from .bulk import actions_for
from .saved_views import default_view_redirect, menu_context


class ListPage(InventoryView):
    """A filtered, sorted, paginated table of one inventory."""

    def get(self, request: HttpRequest) -> HttpResponse:
        inventory = self.inventory
        redirect = default_view_redirect(request, inventory)
        redirect = redirect or _canonical_columns(request, inventory)
        if redirect is not None:
            return redirect
        query = parse_list_query(inventory, request.GET)
        if query.valid:
            data = query.list_request().filtered(
                inventory.table_queryset(query.columns)
            )
        else:
            data = inventory.queryset().none()
        actions = [
            (action, label)
            for action, label, perm in actions_for(inventory)
            if inventory.can(request.user, perm)
        ]
        row_menu = RowMenu(allowed_actions(inventory, request.user))
        table_class = LIST_TABLES[inventory.key]
        hidden = [
            name
            for name in table_class.base_columns
            if name not in (*query.columns, SELECT_COLUMN, ACTIONS_COLUMN)
        ]
        if not actions:
            hidden.append(SELECT_COLUMN)
        if not row_menu:
            hidden.append(ACTIONS_COLUMN)
        table = table_class(data, order_by=query.sort_alias, exclude=hidden)
        table.row_menu = row_menu
        table.empty_text = empty_text(query)
        try:
            table.paginate(page=query.page, per_page=query.page_size)
        except EmptyPage:
            table.paginate(page=table.paginator.num_pages, per_page=query.page_size)
        return render(
            request,
            "inventory/list.html",
            self.base_context(
                table=table,
                query=query,
                form=query.filterset.form,
                search_field=query.filterset.form[SEARCH_KEY],
                filter_controls=filter_controls(query),
                filter_chips=filter_chips(request, query),
                page_size_choices=_page_size_choices(query),
                default_page_size=DEFAULT_PAGE_SIZE,
                export_urls=_export_urls(self.inventory.url_name("export"), request, query),
                bulk_actions=actions,
                bulk_url=inventory.url("bulk"),
                filter_query=_filter_query(request),
                column_choices=column_choices(inventory, query.columns),
                columns_value=canonical_value(inventory, query.columns),
                chooser_query=urlencode(_chooser_params(request)),
                default_columns_url=_url(request.path, _chooser_params(request)),
                **menu_context(request, inventory),
            ),
        )


@dataclass
class FilterControl:
    """One filter of the filter form, with what its template needs."""

    field: forms.BoundField
    type: str
    options: list[str]
    selected: list[str]

    @property
    def labelled_options(self) -> list[tuple[str, str]]:
        """The non-blank options of a choice filter with their on-screen wording."""
        label = show.status_label if self.field.name == "status" else str
        return [(option, label(option)) for option in self.options if option]

    def checkboxes_html(self) -> SafeString:
        """The toggle buttons of a capabilities filter (``cap-<term>`` ids, a hidden input
        keeping each selected value the vocabulary no longer offers) or of a choice filter
        (ids numbered from 1): built here rather than by a template loop, as a long
        vocabulary would otherwise cost the list page a template lookup per attribute."""
        name = conditional_escape(self.field.html_name)
        selected = set(self.selected)
        if self.type == "capabilities":
            boxes = [(option, option, f"cap-{option}") for option in self.options]
            css = "btn btn-outline-primary rounded-pill"
        else:
            boxes = [
                (option, label, f"{self.field.html_name}-{number}")
                for number, (option, label) in enumerate(self.labelled_options, start=1)
            ]
            css = "btn btn-outline-secondary rounded-pill"
        html = []
        for value, label, box_id in boxes:
            checked = " checked" if value in selected else ""
            box_id, value = conditional_escape(box_id), conditional_escape(value)
            html.append(
                f'<input type="checkbox" class="btn-check" name="{name}" value="{value}"'
                f' id="{box_id}" autocomplete="off"{checked}>'
                f'<label class="{css}" for="{box_id}">{conditional_escape(label)}</label>'
            )
        if self.type == "capabilities":
            offered = set(self.options)
            html.extend(
                f'<input type="hidden" name="{name}" value="{conditional_escape(value)}">'
                for value in self.selected
                if value not in offered
            )
        return mark_safe("".join(html))


@dataclass
class FilterChip:
    """One applied filter value, with the list URL that drops just that value."""

    param: str
    label: str
    value: str
    remove_url: str


#: Query parameters that shape the page rather than filter it: no chip for them.
NOT_FILTERS = {PAGE_PARAM, PAGE_SIZE_PARAM, SORT_PARAM, SEARCH_KEY, COLUMNS_PARAM}


def filter_chips(request: HttpRequest, query: ListQuery) -> list[FilterChip]:
    form = query.filterset.form
    chips = []
    for param, values in request.GET.lists():
        if param in NOT_FILTERS or param not in form.fields:
            continue
        label = str(form.fields[param].label or param)
        for value in values:
            if not value:
                continue
            rest = request.GET.copy()
            rest.setlist(param, [other for other in values if other != value])
            rest.pop(PAGE_PARAM, None)
            kept = urlencode([(key, item) for key, items in rest.lists() for item in items if item])
            url = f"{request.path}?{kept}" if kept else request.path
            shown = show.status_label(value) if param == "status" else value
            chips.append(FilterChip(param, label, shown, url))
    return chips


#: A reference filter becomes a drop-down when the referenced table has at most this many rows.
REFERENCE_CHOICES_LIMIT = 500


def reference_widget(inventory: Inventory, name: str, value: Any) -> forms.Widget | None:
    """A drop-down of the referenced rows (one query), or ``None`` to keep the id text box."""
    related = inventory.relations[name].related_model
    rows = list(
        related._default_manager.order_by("name").values_list("pk", "name")[
            : REFERENCE_CHOICES_LIMIT + 1
        ]
    )
    choices = [("", "any"), *[(str(pk), label) for pk, label in rows]]
    if len(rows) > REFERENCE_CHOICES_LIMIT or str(value or "") not in dict(choices):
        return None
    return forms.Select(choices=choices)


def filter_controls(query: ListQuery) -> list[FilterControl]:
    form = query.filterset.form
    controls = []
    for bound in form:
        if bound.name in query.inventory.relations:
            if not bound.value():
                continue  # the typeahead of the same reference, by name, stands for it
            widget = reference_widget(query.inventory, bound.name, bound.value())
            if widget is not None:
                bound.field.widget = widget
        make_typeahead(bound.field)
        style(bound.field.widget)
        if bound.errors:
            bound.field.widget.attrs["class"] += " is-invalid"
        if bound.name == SEARCH_KEY:
            bound.field.widget.attrs["data-search-shortcut"] = ""
            bound.field.widget.attrs["aria-keyshortcuts"] = "f"
            continue
        kind = bound.field.kind.type
        selected: list[str] = []
        if kind == "capabilities":
            raw = bound.value() or []
            try:
                selected = caps.normalize_list(raw)
            except (caps.UnknownCapabilityError, TypeError):
                selected = [str(item) for item in raw]
        if kind == "choice":
            raw = bound.value()
            selected = [str(item) for item in (raw if isinstance(raw, list | tuple) else [raw])]
        options = [str(value) for value, _ in getattr(bound.field.widget, "choices", [])]
        controls.append(FilterControl(bound, kind, options, selected))
    return controls


def _filter_query(request: HttpRequest) -> str:
    """The list's filters as a query string (paging and sorting left out), for the bulk form's
    "all rows matching this filter"."""
    params = request.GET.copy()
    for key in (PAGE_PARAM, PAGE_SIZE_PARAM, SORT_PARAM, COLUMNS_PARAM):
        params.pop(key, None)
    return params.urlencode()


def _chooser_params(request: HttpRequest) -> list[tuple[str, str]]:
    """What the column chooser's form carries over: the query but its columns and page."""
    return [
        (key, value)
        for key, values in request.GET.lists()
        if key not in (COLUMNS_PARAM, PAGE_PARAM)
        for value in values
        if value
    ]


def _url(path: str, params: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _canonical_columns(request: HttpRequest, inventory: Inventory) -> HttpResponse | None:
    """A redirect to the same list with ``columns=`` in its one clean form (one
    comma-separated value in declaration order, left out when it is the default choice);
    a choice naming unknown columns stays as it is, so that the page can say so.

    The column chooser submits its ticked columns with the list's query as one ``keep``
    value (rather than a copy of every filter field), which is unpacked here."""
    params = request.GET
    if KEEP_PARAM in params:
        params = QueryDict(params[KEEP_PARAM], mutable=True)
        params.setlist(COLUMNS_PARAM, request.GET.getlist(COLUMNS_PARAM))
    elif COLUMNS_PARAM not in params or parse_columns(inventory, params)[1]:
        return None
    canonical = canonical_params(inventory, params)
    if params is request.GET and canonical.getlist(COLUMNS_PARAM) == params.getlist(
        COLUMNS_PARAM
    ):
        return None
    query = canonical.urlencode(safe=",")
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


def _page_size_choices(query: ListQuery) -> list[int]:
    return sorted({*PAGE_SIZE_CHOICES, query.page_size})


def empty_text(query: ListQuery) -> str:
    """What an empty table says: invalid filters, no match, or an empty inventory."""
    title = query.inventory.title.lower()
    if not query.valid:
        return "No rows are shown while the filters are not valid."
    if query.has_filters:
        return f"No {title} match these filters."
    return f"No {title} yet."


def _export_urls(url_name: str, request: HttpRequest, query: ListQuery) -> dict[str, str]:
    """Export links for the current filters and the sort the table shows (paging and the
    column choice left out), so the file holds exactly the rows of the view, in its order,
    with every field, as the importer reads them back."""
    params = request.GET.copy()
    for key in (PAGE_PARAM, PAGE_SIZE_PARAM, COLUMNS_PARAM):
        params.pop(key, None)
    if SORT_PARAM in params:
        params[SORT_PARAM] = query.sort_alias
    query = params.urlencode()
    return {fmt: reverse(url_name, args=[fmt]) + (f"?{query}" if query else "") for fmt in FORMATS}


class ExportView(InventoryView):
    """The current filtered and sorted view as a streamed CSV or JSON file."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in FORMATS:
            return plain_text_error(f"unknown export format {fmt!r}; use csv or json")
        query = parse_list_query(self.inventory, request.GET)
        problems: list[Any] = [*query.errors, *query.warnings]
        if problems:
            return plain_text_error("\n".join(str(message) for message in problems))
        return export_response(query.list_request(), fmt, self.inventory.key)
