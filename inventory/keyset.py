"""Keyset iteration: walking a big list by the last row's sort key instead of an offset.

A page after a cursor reads ``WHERE (key, id) > (last key, last id) ORDER BY key, id LIMIT n``
(written ``key >= last AND (key > last OR id > last id)`` so that the key bounds an index
range scan), so the last page of a million rows costs what the first does, where an offset
page walks every row before it. Rows inserted or deleted during a walk move no other row:
every row present for the whole walk is returned exactly once.

The cursor a page hands back is opaque: the last row's sort key and id with a fingerprint of
the filters and sort, signed (``django.core.signing``) so that it cannot be forged. Reusing it
with other filters or another sort is refused, naming ``cursor``.

NULLs sort last ascending and first descending on every database (PostgreSQL's own default,
so its indexes serve the order), and the id breaks ties in the sort's direction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet

from .errors import RegistryValidationError
from .listing import ListDeclaration, ListRequest, _read_key, clamp_page_size

CURSOR_KEY = "cursor"
_SALT = "inventory.keyset"
#: Rows read per query when a whole result is streamed (exports, ``all()``).
CHUNK_SIZE = 2000


def _cursor_error(message: str) -> RegistryValidationError:
    return RegistryValidationError({CURSOR_KEY: [message]})


def fingerprint(request: ListRequest) -> str:
    """What a cursor is valid for: the normalized filters and sort."""
    text = json.dumps([request.filters, request.sort], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Keyset:
    """The keyset order of one list request and the condition of the rows after a key."""

    def __init__(self, request: ListRequest):
        self.request = request
        declaration = request.declaration
        item = declaration.by_name[request.sort["field"]]
        self.attr: str = item.source  # type: ignore[assignment]
        #: Where a row's values hold the key: the column, or the text the database made of
        #: it (``Field.read``), which the column's ``to_python`` reads back exactly.
        self.value_key = _read_key(item) if item.read is not None else self.attr
        self.model_field = declaration.model_field(item)
        self.nullable = self._nullable(declaration, self.attr)
        self.descending = request.sort["direction"] == "desc"

    @staticmethod
    def _nullable(declaration: Any, attr: str) -> bool:
        """Whether the key can be NULL: the column is, or a relation on the way to it is."""
        model = declaration.model
        for step in attr.split("__"):
            model_field = model._meta.get_field(step)
            if model_field.null:
                return True
            model = model_field.related_model or model
        return False

    def ordered(self) -> QuerySet:
        """The filtered rows in keyset order (the list's sort, NULLs placed explicitly)."""
        queryset = self.request.filtered()
        if self.attr == "id":
            return queryset.order_by("-id" if self.descending else "id")
        key = F(self.attr)
        if self.descending:
            return queryset.order_by(key.desc(nulls_first=True), "-id")
        return queryset.order_by(key.asc(nulls_last=True), "id")

    def after(self, value: Any, last_id: int) -> Q:
        """Rows strictly after ``(value, last_id)`` in keyset order."""
        past, bound = ("lt", "lte") if self.descending else ("gt", "gte")
        after_id = Q(**{f"id__{past}": last_id})
        if self.attr == "id":
            return after_id
        attr, null = self.attr, Q(**{f"{self.attr}__isnull": True})
        if value is None:
            # NULLs come last ascending (only NULLs follow) and first descending (all the
            # non-NULL keys follow).
            return (null & after_id) | ~null if self.descending else null & after_id
        # "key >= v AND (key > v OR id > last)": the first term bounds an index range scan.
        beyond = Q(**{f"{attr}__{bound}": value}) & (Q(**{f"{attr}__{past}": value}) | after_id)
        if self.nullable and not self.descending:
            beyond |= null
        return beyond

    # cursors

    def key_of(self, values: dict[str, Any]) -> tuple[Any, int]:
        return values[self.value_key], values["id"]

    def encode(self, key: tuple[Any, int]) -> str:
        value, last_id = key
        if isinstance(value, datetime | date):
            value = value.isoformat()
        return signing.dumps(
            {"q": fingerprint(self.request), "k": [value, last_id]}, salt=_SALT, compress=True
        )

    def decode(self, cursor: Any) -> tuple[Any, int]:
        """The key a cursor continues after; a 400 naming ``cursor`` when it is malformed,
        forged or issued for other filters or another sort."""
        if not isinstance(cursor, str):
            raise _cursor_error("cursor must be the next_cursor text of a previous page")
        try:
            payload = signing.loads(cursor, salt=_SALT)
            check, (value, last_id) = payload["q"], payload["k"]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise _cursor_error(
                "not a valid cursor; pass the next_cursor of a previous page unchanged"
            ) from None
        if check != fingerprint(self.request):
            raise _cursor_error(
                "this cursor belongs to a walk with other filters or another sort; start "
                "again without cursor"
            )
        try:
            value = None if value is None else self.model_field.to_python(value)
        except ValidationError:
            raise _cursor_error("not a valid cursor") from None
        if isinstance(last_id, bool) or not isinstance(last_id, int):
            raise _cursor_error("not a valid cursor")
        return value, last_id

    # reading

    def values_after(self, key: tuple[Any, int] | None, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` rows' values after ``key`` (from the start when ``None``), with
        their page context: one query, and the page context's."""
        queryset = self.ordered()
        if key is not None:
            queryset = queryset.filter(self.after(*key))
        return self.request.declaration.page_values(queryset[:limit])

    def walk(self, chunk_size: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """Every matching row's values, ``chunk_size`` rows (``CHUNK_SIZE``; one query) at a
        time."""
        chunk_size = chunk_size or CHUNK_SIZE
        key = None
        while True:
            chunk = self.values_after(key, chunk_size)
            if chunk:
                yield chunk
            if len(chunk) < chunk_size:
                return
            key = self.key_of(chunk[-1])


def keyset_envelope(request: ListRequest, cursor: Any, page_size: int) -> dict[str, Any]:
    """One keyset page in the list envelope: ``next_cursor`` continues after its last row
    (``None`` on the last page); ``page`` and ``total_rows`` are ``None`` (not counted). An
    empty cursor starts at the first row. One query, and the page context's."""
    keyset = Keyset(request)
    key = keyset.decode(cursor) if cursor not in (None, "") else None
    found = keyset.values_after(key, page_size + 1)
    more = len(found) > page_size
    found = found[:page_size]
    declaration = request.declaration
    return {
        "rows": [declaration.serialize(values) for values in found],
        "total_rows": None,
        "page": None,
        "page_size": page_size,
        "filters": request.filters,
        "sort": request.sort,
        "next_cursor": keyset.encode(keyset.key_of(found[-1])) if more else None,
    }


def cursor_page(request: ListRequest, cursor: Any, page: Any, page_size: Any) -> dict[str, Any]:
    """``keyset_envelope`` of a list call given a ``cursor``; a page number other than 0 is
    refused (naming ``cursor``), as the cursor says where the page starts."""
    if page not in (None, 0, "0"):
        raise _cursor_error("a cursor says where the page starts; leave out page")
    return keyset_envelope(request, cursor, clamp_page_size(page_size))


def iter_values(request: ListRequest, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
    """Every matching row's values in keyset order, read ``chunk_size`` rows a query."""
    for chunk in Keyset(request).walk(chunk_size):
        yield from chunk


def iter_rows(request: ListRequest, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
    """Every matching row in the list's row shape, read by keyset in chunks."""
    serialize = request.declaration.serialize
    for values in iter_values(request, chunk_size):
        yield serialize(values)


def list_all(
    declaration: ListDeclaration,
    filters: Mapping[str, Any] | None = None,
    sort: Any = None,
    direction: str | None = None,
) -> dict[str, Any]:
    """``{"rows", "filters", "sort"}`` with every matching row, read by keyset in chunks."""
    request = ListRequest.build(declaration, filters, sort, direction)
    return {"rows": list(iter_rows(request)), "filters": request.filters, "sort": request.sort}
