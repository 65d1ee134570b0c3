"""Read a list page's query string into a validated ``ListRequest``.

Filters go through the generated FilterSet (so their values are parsed by the declaration's
filter kinds), sorting through ``ListDeclaration.normalize_sort``, page sizes through the
SDK's clamp. Nothing is silently ignored: unknown parameters and invalid values become
messages, and a list whose filters are invalid shows no rows rather than every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from ..errors import RegistryValidationError
from ..filtersets import DeclaredFilterSet
from ..listing import DEFAULT_PAGE_SIZE, SEARCH_KEY, ListRequest, clamp_page_size, parse_int
from .columns import COLUMNS_PARAM, parse_columns
from .entities import Inventory
from .tables import SORT_PARAM

PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page_size"
CONTROL_PARAMS = (SORT_PARAM, PAGE_PARAM, PAGE_SIZE_PARAM, COLUMNS_PARAM)
PAGE_SIZE_CHOICES = (10, 25, 50, 100, 200)


@dataclass
class ListQuery:
    """What a list or export request asked for, validated."""

    inventory: Inventory
    filterset: DeclaredFilterSet
    sort: dict[str, str]
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    #: The shown columns, in declaration order.
    columns: list[str] = field(default_factory=list)
    #: Messages that make the request unusable (bad or unknown filters): no rows are shown.
    errors: list[str] = field(default_factory=list)
    #: Messages about values that were replaced by a default (bad sort or paging values).
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def filters(self) -> dict[str, Any]:
        return self.filterset.normalized()

    def list_request(self) -> ListRequest:
        """The list engine's request; only for a valid query."""
        if not self.valid:
            raise RegistryValidationError(self.errors[0])
        return ListRequest(self.inventory.declaration, self.filters, self.sort)

    @property
    def sort_alias(self) -> str:
        """The sort as django-tables2 spells it (``-name``)."""
        prefix = "-" if self.sort["direction"] == "desc" else ""
        return f"{prefix}{self.sort['field']}"

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    @property
    def advanced_filter_count(self) -> int:
        return len([key for key in self.filters if key != SEARCH_KEY])


def _messages(error: RegistryValidationError) -> list[str]:
    return [message for messages in error.errors.values() for message in messages]


def parse_list_query(inventory: Inventory, params: QueryDict) -> ListQuery:
    declaration = inventory.declaration
    filterset = inventory.filterset(data=params, queryset=inventory.queryset())
    errors: list[str] = []
    warnings: list[str] = []
    for key in filterset.unknown_keys(params, ignore=CONTROL_PARAMS):
        try:
            declaration.normalize_filters({key: params.get(key)})
        except RegistryValidationError as error:
            errors.extend(_messages(error))
    if not filterset.form.is_valid():
        errors.extend(m for messages in filterset.error_dict().values() for m in messages)

    try:
        sort = declaration.normalize_sort(params.get(SORT_PARAM) or None)
    except RegistryValidationError as error:
        warnings.extend(_messages(error))
        sort = declaration.normalize_sort(None)

    query = ListQuery(inventory, filterset, sort, errors=errors, warnings=warnings)
    query.columns, unknown_columns = parse_columns(inventory, params)
    warnings.extend(unknown_columns)
    try:
        query.page_size = clamp_page_size(params.get(PAGE_SIZE_PARAM) or DEFAULT_PAGE_SIZE)
    except RegistryValidationError as error:
        warnings.extend(_messages(error))
    try:
        page = parse_int(PAGE_PARAM, params.get(PAGE_PARAM) or 1)
        if page < 1:
            raise RegistryValidationError({PAGE_PARAM: ["page must be 1 or more"]})
        query.page = page
    except RegistryValidationError as error:
        warnings.extend(_messages(error))
    return query
