"""List requests of the API: strict query parameters, the declared filters and sort, and the
0-based page envelope, each a DRF component that also describes itself to drf-spectacular.

The work is the SDK's: filters are parsed and applied by the entity's FilterSet (through
``ListRequest``), pages are cut by ``listing.envelope``; these classes only read the query
string and say what they accept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.filters import BaseFilterBackend
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.errors import refuse_unknown_keys
from inventory.keyset import CURSOR_KEY, cursor_page
from inventory.listing import (
    DEFAULT_PAGE_SIZE,
    DIRECTIONS,
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    SEARCH_KEY,
    FilterKind,
    ListDeclaration,
    ListRequest,
    VocabularyChoiceFilter,
    VocabularyTextFilter,
    clamp_page_size,
    envelope,
    parse_page,
)

#: ``?format=json`` (or ``api``, the browsable page) picks the response's renderer; it is no
#: parameter of the request (on the catalog list, ``format`` is also the format filter).
RENDERER_PARAM = "format"
RENDERER_FORMATS = ("json", "api")
SORT_PARAMS = ("sort", "direction")
PAGE_PARAMS = ("page", "page_size", CURSOR_KEY)
PAGING_PARAMS = (*PAGE_PARAMS, *SORT_PARAMS)
CONFIRM_PARAM = "confirm_embedding_model_change"


class FormatParameterNegotiation(DefaultContentNegotiation):
    """``?format=json`` (or ``api``) picks the renderer, whatever the ``Accept`` header says;
    any other ``format`` value is a filter (the catalog's model format), not a renderer.
    ``Accept: */*`` (or no header) and the first renderer's own type select it directly."""

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        wanted = request.query_params.get(RENDERER_PARAM)
        if format_suffix is None and wanted in RENDERER_FORMATS:
            format_suffix = wanted
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if format_suffix is None and accept in ("*/*", renderers[0].media_type):
            # What DRF picks for these (most calls send one of them), without parsing them.
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


class StrictQuery:
    """Query parameters read one way by every API view, and refused when not taken."""

    #: The parameters a view takes besides its list parameters.
    query_params_taken: tuple[str, ...] = ()

    @staticmethod
    def query_values(request: Request, keep_format: bool = False) -> dict[str, Any]:
        """Query parameters; a repeated parameter is a list (empty repeats are dropped, so
        ``id=5&id=`` is the one-item list ``[5]``). ``format=json`` is the renderer's."""
        values: dict[str, Any] = {}
        for key in request.query_params:
            items = request.query_params.getlist(key)
            values[key] = items[0] if len(items) == 1 else [item for item in items if item != ""]
        if not keep_format and values.get(RENDERER_PARAM) in RENDERER_FORMATS:
            del values[RENDERER_PARAM]
        return values

    def strict_query(self, request: Request, taken: Iterable[str] | None = None) -> dict[str, Any]:
        """The query parameters, every one of them taken by the view (else a 400 naming it)."""
        values = self.query_values(request)
        refuse_unknown_keys(
            values, self.query_params_taken if taken is None else taken, "parameter"
        )
        return values


VOCABULARY_HELP = (
    "A term of a governed vocabulary, aliases accepted; administrators may add terms, so the "
    "live list is served by GET /api/v1/capabilities/ (vocabularies)."
)


def _item_schema(kind: FilterKind, options: Any) -> dict[str, Any]:
    """The JSON type of one filter value; a governed vocabulary (read from the database,
    extended by administrators) is plain text, a fixed choice list an enum."""
    if kind.type == "integer":
        return {"type": "integer"}
    if kind.type == "boolean":
        return {"type": "boolean"}
    if kind.type == "choice" and not isinstance(kind, VocabularyChoiceFilter):
        values = getattr(kind, "options", None) or options or ()
        return {"type": "string", "enum": [item for item in values if item]}
    return {"type": "string"}


def filter_parameters(declaration: ListDeclaration) -> list[dict[str, Any]]:
    """OpenAPI parameters of the declared filters: what each does comes from its kind."""
    found = [
        (entry.key, entry.kind, entry.label, entry.options or ())
        for entry in declaration.declared_filters()
    ]
    found.append((SEARCH_KEY, declaration.search, declaration.search_label, ()))
    parameters = []
    for key, kind, label, options in found:
        schema = _item_schema(kind, options)
        description = f"{label}. {kind.help}"
        if kind.type == "capabilities" or isinstance(
            kind, VocabularyChoiceFilter | VocabularyTextFilter
        ):
            description += f" {VOCABULARY_HELP}"
        repeatable = kind.type in ("integer", "choice", "capabilities", "tokens")
        parameter: dict[str, Any] = {
            "name": key,
            "in": "query",
            "required": False,
            "description": description,
            "schema": {"type": "array", "items": schema} if repeatable else schema,
        }
        if repeatable:
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


class DeclaredFilterBackend(BaseFilterBackend):
    """The declared filters and sort of a list; applied by the entity's FilterSet through
    ``ListRequest``, so this backend only describes them."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        declaration: ListDeclaration = view.declaration
        sortable = "|".join(declaration.sort_fields)
        return [
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "description": "Column to sort by; a leading `-` sorts descending (`-name`). "
                f"Sortable: {', '.join(declaration.sort_fields)}. `id` breaks ties.",
                "schema": {"type": "string", "pattern": f"^-?({sortable})$", "default": "id"},
            },
            {
                "name": "direction",
                "in": "query",
                "required": False,
                "description": "asc or desc (overrides a leading `-` on sort).",
                "schema": {"type": "string", "enum": list(DIRECTIONS)},
            },
            *filter_parameters(declaration),
        ]


class EnvelopePagination(BasePagination):
    """0-based pages in the SDK's envelope: ``rows, total_rows, page, page_size, filters,
    sort``. Two queries per page (count and rows); with ``cursor``, one keyset page (one
    query) carrying ``next_cursor`` (``inventory.keyset``)."""

    def page(self, list_request: ListRequest, params: dict[str, Any]) -> dict[str, Any]:
        if CURSOR_KEY in params:
            return cursor_page(
                list_request, params[CURSOR_KEY], params.get("page"), params.get("page_size")
            )
        page = parse_page(params.get("page", 0))
        size = clamp_page_size(params.get("page_size"))
        return envelope(list_request, page, size)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        raise NotImplementedError("lists are paged by EnvelopePagination.page")

    def get_paginated_response(self, data: Any) -> Response:
        return Response(data)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "0-based page number.",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, clamped to {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "default": DEFAULT_PAGE_SIZE},
            },
            {
                "name": CURSOR_KEY,
                "in": "query",
                "required": False,
                "description": "Keyset paging for walking a big result: empty for the first "
                "page, then the `next_cursor` of the page before, with the same filters and "
                "sort (else 400 naming `cursor`). Each page costs the same at the end of the "
                "walk as at the start, and a row present for the whole walk comes exactly "
                "once. Cursor pages carry `next_cursor` (null after the last row) and are not "
                "counted: `page` and `total_rows` are null; leave out `page`. NULLs sort last "
                "ascending, first descending.",
                "schema": {"type": "string"},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "description": "One page of rows, exactly as the SDK's `list()` returns it.",
            "properties": {
                "rows": schema,
                "total_rows": {
                    "type": "integer",
                    "minimum": 0,
                    "nullable": True,
                    "description": "Matching rows; null on a cursor page (not counted).",
                },
                "page": {
                    "type": "integer",
                    "minimum": 0,
                    "nullable": True,
                    "description": "0-based page number; null on a cursor page.",
                },
                "page_size": {
                    "type": "integer",
                    "minimum": MIN_PAGE_SIZE,
                    "maximum": MAX_PAGE_SIZE,
                },
                "filters": {
                    "type": "object",
                    "description": "The filters applied, normalized (ids and choices as "
                    "given, capabilities as canonical comma-separated text).",
                    "additionalProperties": {},
                },
                "sort": {
                    "type": "object",
                    "description": "The sort applied (`id` breaks ties).",
                    "properties": {
                        "field": {"type": "string"},
                        "direction": {"type": "string", "enum": list(DIRECTIONS)},
                    },
                    "required": ["field", "direction"],
                },
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Cursor pages only: pass it as `cursor` for the next page; "
                    "null after the last row.",
                },
            },
            "required": ["rows", "total_rows", "page", "page_size", "filters", "sort"],
        }
