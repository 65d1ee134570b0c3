"""Global search: one case-insensitive substring looked up in engines, catalog rows and
registered models at once, for the navigation bar's search page, the API's ``search/`` and
the SDK.

Each entity is searched with its list's own quick search (the declaration's ``q`` filter:
names, labels, paths, URLs, families, tags), so a group's "show all" is exactly that list
filtered by ``q``. A search costs at most two queries per entity whatever the table sizes
(on PostgreSQL served by the trigram indexes on the searched columns). The hits are the
matches of lowest id, as the list shows them first; when more than ``COUNT_CAP`` rows match,
they are the lowest ids among ``COUNT_CAP`` of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .declarations import DECLARATIONS
from .errors import RegistryValidationError
from .listing import SEARCH_KEY, ListDeclaration
from .values import parse_int

#: Rows shown per entity unless asked otherwise, and the most a caller may ask for.
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
#: Matches are counted up to this number; past it the total reads "more than COUNT_CAP".
COUNT_CAP = 1000


@dataclass(frozen=True)
class SearchHit:
    """One matching row: its id and name, and the first searched field holding the text."""

    id: int
    name: str
    field: str
    label: str
    value: str


@dataclass(frozen=True)
class SearchGroup:
    """The matches of one entity: the first rows and how many match in all (capped)."""

    entity: str
    total: int
    capped: bool
    hits: list[SearchHit]


@dataclass(frozen=True)
class SearchResult:
    q: str
    limit: int
    groups: list[SearchGroup]


def parse_limit(value: Any) -> int:
    """Rows per entity: an integer clamped to 1..MAX_LIMIT (absent: DEFAULT_LIMIT)."""
    limit = parse_int("limit", DEFAULT_LIMIT if value in (None, "") else value)
    return max(1, min(MAX_LIMIT, limit))


def parse_query(value: Any) -> str:
    """The searched text, trimmed; refused like the lists' ``q`` when it is not text."""
    if value is None:
        return ""
    return DECLARATIONS["engine_registry"].search.parse(SEARCH_KEY, value)


def matched_field(declaration: ListDeclaration, values: dict[str, Any], text: str) -> str:
    """The first searched column whose value holds ``text`` (ignoring case)."""
    wanted = text.casefold()
    for attr in declaration.search.attrs:
        if wanted in str(values.get(attr) or "").casefold():
            return attr
    return declaration.search.attrs[0]


def search_entity(key: str, text: str, limit: int) -> SearchGroup:
    """The matches of one entity, in two queries: the ids of up to ``COUNT_CAP + 1`` matches
    (unordered, so PostgreSQL reads them through the trigram indexes instead of walking the
    primary key past every row that does not match), then the rows of the lowest ids."""
    declaration = DECLARATIONS[key]
    matching = declaration.search.apply(declaration.queryset(), "", text)
    ids = list(matching.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
    first = sorted(ids)[:limit]
    attrs = declaration.search.attrs
    rows = declaration.queryset().filter(pk__in=first).order_by("pk").values("pk", *attrs)
    hits = []
    for values in rows if first else ():
        attr = matched_field(declaration, values, text)
        hits.append(
            SearchHit(
                id=values["pk"],
                name=values["name"],
                field=attr,
                label=declaration.by_name[attr].label,
                value=str(values[attr]),
            )
        )
    return SearchGroup(key, min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP, hits)


def search(q: Any, limit: Any = None, entities: Iterable[str] | None = None) -> SearchResult:
    """Search ``entities`` (SDK names; all three by default) for the substring ``q``.

    An empty ``q`` finds nothing and runs no query; a ``q`` that is not text, or a ``limit``
    that is not an integer, raises ``RegistryValidationError`` naming the parameter.
    """
    text = parse_query(q)
    size = parse_limit(limit)
    keys = list(DECLARATIONS) if entities is None else [k for k in DECLARATIONS if k in entities]
    unknown = sorted(set(entities or ()) - set(DECLARATIONS))
    if unknown:
        raise RegistryValidationError(
            {"entities": [f"unknown entity {unknown[0]!r}; known: {', '.join(DECLARATIONS)}"]}
        )
    if not text:
        return SearchResult(text, size, [])
    return SearchResult(text, size, [search_entity(key, text, size) for key in keys])
