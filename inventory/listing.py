"""The list declaration type and the list engine shared by the SDK, the API and the web pages.

Each entity declares its fields once (see ``inventory.declarations``). From that declaration
come the SDK's ``table_model()`` / ``filters_model()``, the filters with their semantics, the
sortable columns, the row shape and the writable payload keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from . import capabilities as caps
from . import list_statements
from .errors import RegistryValidationError
from .models.fields import text_error
from .substring_lookup import SUBSTRING
from .values import as_bool, boolean_message, parse_id, parse_int
from .vocabularies import KINDS, UnknownTermError

#: A row of a page, whatever reads it (a serialized dict, a table record).
T = TypeVar("T")

MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 25
DIRECTIONS = ("asc", "desc")
SEARCH_KEY = "q"


# --- filters -------------------------------------------------------------------------------


class FilterKind:
    """How one filter parses its value and narrows a queryset."""

    type: str = "string"
    #: What the filter does, for its documentation (OpenAPI, filter forms).
    help: str = ""

    def parse(self, key: str, value: Any) -> Any:
        raise NotImplementedError

    def apply(self, queryset: QuerySet, attr: str, value: Any) -> QuerySet:
        raise NotImplementedError

    @staticmethod
    def fail(key: str, message: str) -> RegistryValidationError:
        return RegistryValidationError({key: [message]})


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    if isinstance(value, str) and "," in value:
        return [item for item in value.split(",") if item.strip()]
    return [value]


class IdFilter(FilterKind):
    """Exact match on an integer id; a list (or CSV) of ids matches any of them."""

    type = "integer"
    help = "Exact id; repeat the parameter (or give a comma-separated list) for any of several."

    def parse(self, key: str, value: Any) -> int | list[int]:
        items = [parse_id(key, item) for item in _as_list(value)]
        return items[0] if len(items) == 1 and not isinstance(value, list | tuple) else items

    def apply(self, queryset: QuerySet, attr: str, value: Any) -> QuerySet:
        if isinstance(value, list):
            return queryset.filter(**{f"{attr}__in": value})
        return queryset.filter(**{attr: value})


class TextFilter(FilterKind):
    """Case-insensitive substring."""

    type = "string"
    help = "Case-insensitive substring."

    def parse(self, key: str, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f"{key} must be a string, got {value!r}")
        message = text_error(key, str(value))
        if message:
            raise self.fail(key, message)
        return str(value).strip()

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{attr}__{SUBSTRING}": value})


class ExactTextFilter(TextFilter):
    """Exact match on a value stored lower-case (e.g. ``provider``)."""

    help = "Exact value, case-insensitive (not a substring)."

    def parse(self, key: str, value: Any) -> str:
        return super().parse(key, value).lower()

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        return queryset.filter(**{attr: value})


class CaseInsensitiveExactFilter(ExactTextFilter):
    """Exact match ignoring case on a value stored as given (``quantization``)."""

    def parse(self, key: str, value: Any) -> str:
        return TextFilter.parse(self, key, value)

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{attr}__iexact": value})


@dataclass(frozen=True)
class ChoiceFilter(FilterKind):
    """Exact match on a vocabulary value; a list (or CSV) matches any of them."""

    options: tuple[str, ...]
    type: str = "choice"
    help: str = "Exact value; repeat the parameter (or give a comma-separated list) for any of "
    "several."

    def parse(self, key: str, value: Any) -> str | list[str]:
        items = _as_list(value)
        for item in items:
            if not isinstance(item, str) or item.strip().lower() not in self.options:
                raise self.fail(
                    key, f"{item!r} is not a valid {key}; choose one of: {', '.join(self.options)}"
                )
        cleaned = [item.strip().lower() for item in items]
        return cleaned[0] if len(cleaned) == 1 and not isinstance(value, list | tuple) else cleaned

    def apply(self, queryset: QuerySet, attr: str, value: Any) -> QuerySet:
        if isinstance(value, list):
            return queryset.filter(**{f"{attr}__in": value})
        return queryset.filter(**{attr: value})


class VocabularyOptions(Sequence[str]):
    """The live terms of a governed vocabulary, read each time they are listed, so that a
    term an administrator adds shows at once in tables, forms and filters."""

    def __init__(self, vocabulary: str, blank: bool = False):
        self.vocabulary = vocabulary
        self.blank = blank

    def terms(self) -> list[str]:
        return [""] * self.blank + KINDS[self.vocabulary].known()

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms())

    def __len__(self) -> int:
        return len(self.terms())

    def __getitem__(self, index: Any) -> Any:
        return self.terms()[index]

    def __bool__(self) -> bool:
        return True


def _vocabulary_terms(key: str, vocabulary: str, value: Any) -> list[str]:
    """Each item of a filter value as a term of the vocabulary (aliases accepted)."""
    items = _as_list(value)
    terms: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise FilterKind.fail(key, f"{item!r} is not a valid {key}")
        try:
            terms.append(KINDS[vocabulary].normalize_one(item))
        except UnknownTermError as error:
            raise FilterKind.fail(key, str(error)) from error
    return terms


@dataclass(frozen=True)
class VocabularyChoiceFilter(ChoiceFilter):
    """Exact match on a term of a governed vocabulary (``format``); aliases accepted, a list
    (or CSV) matches any of them, an unknown term is refused with the vocabulary listed."""

    vocabulary: str = ""

    def parse(self, key: str, value: Any) -> str | list[str]:
        terms = _vocabulary_terms(key, self.vocabulary, value)
        return terms[0] if len(terms) == 1 and not isinstance(value, list | tuple) else terms


@dataclass(frozen=True)
class VocabularyTextFilter(ExactTextFilter):
    """Exact match on a term of a large governed vocabulary (``provider``), aliases
    accepted; an unknown term is refused with the vocabulary listed."""

    vocabulary: str = ""
    help = "Exact term of the vocabulary; aliases accepted, an unknown term is an error."

    def parse(self, key: str, value: Any) -> str:
        text = TextFilter.parse(self, key, value)
        return _vocabulary_terms(key, self.vocabulary, text)[0] if text else text


def parse_bool(key: str, value: Any) -> bool:
    """A boolean from a bool, 0/1, or the words true/false (also yes/no, on/off)."""
    try:
        return as_bool(value)
    except ValueError:
        raise FilterKind.fail(key, boolean_message(key, value)) from None


class BoolFilter(FilterKind):
    type = "boolean"
    help = "true/false (also 1/0, yes/no, on/off)."

    def parse(self, key: str, value: Any) -> bool:
        return parse_bool(key, value)

    def apply(self, queryset: QuerySet, attr: str, value: bool) -> QuerySet:
        return queryset.filter(**{attr: value})


class HasAllTokens(models.Func):
    """True where a CSV list column holds every given token, matched whole.

    On PostgreSQL this is ``string_to_array(col, ',') @> ARRAY[...]``, served by the GIN
    expression indexes the migrations create; elsewhere it compares ``,col,`` with ``,token,``.
    """

    output_field = models.BooleanField()

    def __init__(self, column: str, tokens: list[str]):
        super().__init__(models.F(column))
        self.tokens = list(tokens)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        checks = [f"instr(',' || {column_sql} || ',', %s) > 0" for _ in self.tokens]
        params: list[Any] = []
        for token in self.tokens:
            params.extend([*column_params, f",{token},"])
        return "(" + " AND ".join(checks) + ")", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        return f"(string_to_array({column_sql}, ',') @> %s::text[])", [*column_params, self.tokens]


@dataclass(frozen=True)
class TokensFilter(FilterKind):
    """Whole tokens of a CSV list field (tags, interfaces…), normalized as the field stores
    them (``normalize`` is the field's own normalizer, aliases included where the field has a
    vocabulary); several values mean "has all"."""

    normalize: Callable[[Any], str]
    type: str = "tokens"
    help: str = (
        "Whole tokens; repeat the parameter or give a comma-separated list to require all of them."
    )

    @classmethod
    def of_field(cls, model: type[models.Model], name: str) -> TokensFilter:
        """The filter of a model's CSV list field, normalizing with the field's ``to_python``."""
        return cls(model._meta.get_field(name).to_python)

    def parse(self, key: str, value: Any) -> str:
        if isinstance(value, str | list | tuple):
            items = [value] if isinstance(value, str) else list(value)
            for item in items:
                message = text_error(key, item) if isinstance(item, str) else None
                if message:
                    raise self.fail(key, message)
        try:
            return self.normalize(value)
        except caps.UnknownCapabilityError as error:
            raise self.fail(key, str(error)) from error
        except ValidationError as error:
            raise self.fail(key, error.messages[0]) from error
        except (TypeError, ValueError) as error:
            raise self.fail(key, f"{key} must be a comma-separated string or a list") from error

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        tokens = caps.parse_stored(value)
        return queryset.filter(HasAllTokens(attr, tokens)) if tokens else queryset


class CapabilitiesFilter(TokensFilter):
    """Whole capability tokens, aliases accepted; several values mean "has all"."""

    def __init__(self) -> None:
        super().__init__(
            caps.normalize,
            "capabilities",
            "Whole capability tokens, aliases accepted; repeat the parameter or give a "
            "comma-separated list (chat,embedding) to require all of them.",
        )


class ExactNameFilter(TextFilter):
    """Exact name, case-insensitive (names are unique regardless of case), trimmed as stored."""

    type = "exact"
    help = "The whole name, case-insensitive (`name` matches a substring)."

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{attr}__iexact": value})


@dataclass(frozen=True)
class ReferenceFilter(FilterKind):
    """A referenced row given by its whole name (case-insensitive) or by its id: what a
    typeahead fills in, or a name typed in a plain text box. Read through the name's
    case-insensitive unique index, then as an id filter."""

    target: type[models.Model]
    type: str = "reference"
    help: str = "The referenced row's whole name (case-insensitive) or its id."

    def parse(self, key: str, value: Any) -> str:
        return TextFilter().parse(key, value)

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        rows = self.target._default_manager.alias(_lower=Lower("name"))
        condition = Q(_lower=Lower(models.Value(value)))
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(**{f"{attr}__in": rows.filter(condition).values("pk")})


@dataclass(frozen=True)
class SearchFilter(FilterKind):
    """Quick search: case-insensitive substring over several columns."""

    attrs: tuple[str, ...]
    type: str = "search"
    help: str = "Case-insensitive substring over several columns."

    def parse(self, key: str, value: Any) -> str:
        return TextFilter().parse(key, value)

    def apply(self, queryset: QuerySet, attr: str, value: str) -> QuerySet:
        condition = Q()
        for name in self.attrs:
            condition |= Q(**{f"{name}__{SUBSTRING}": value})
        return queryset.filter(condition)


# --- the declaration -----------------------------------------------------------------------


def _identity(value: Any, row: Mapping[str, Any]) -> Any:
    return value


def iso_datetime(value: datetime | None, row: Mapping[str, Any]) -> str | None:
    return value.isoformat() if value is not None else None


def as_flag(value: bool, row: Mapping[str, Any]) -> int:
    return 1 if value else 0


class IsoDatetimeText(models.Func):
    """A timestamp as the text ``iso_datetime`` makes of it (``2026-01-31T09:05:00.250000+00:00``,
    the fraction left out when it is zero), formatted by the database: a page of rows then
    neither parses its timestamps into datetimes nor formats them back. Timestamps are
    stored in UTC (``USE_TZ``), which both databases give as ``+00:00``."""

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # SQLite stores str(datetime) in UTC: "2026-01-31 09:05:00.250000", no zero fraction.
        column, params = compiler.compile(self.source_expressions[0])
        return f"(REPLACE({column}, ' ', 'T') || '+00:00')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # One to_char per value: the fraction is always written, then a zero one removed
        # (".000000" can appear nowhere else in the text).
        column, params = compiler.compile(self.source_expressions[0])
        utc = f"({column} AT TIME ZONE 'UTC')"
        sql = (
            f"(REPLACE(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') || '+00:00')"
        )
        return sql, params


@dataclass(frozen=True)
class Field:
    """One field of an entity's rows.

    ``name`` is the key in rows, payloads and filters; ``attr`` the model attribute it reads
    (``None`` for a value derived from others). ``column`` puts it in ``table_model()``.
    """

    name: str
    type: str
    label: str
    attr: str | None = ""
    filter: FilterKind | None = None
    column: bool = True
    sortable: bool = True
    writable: bool = True
    options: Sequence[str] | None = None
    serialize: Callable[[Any, Mapping[str, Any]], Any] = _identity
    derive: Callable[[Mapping[str, Any]], Any] | None = None
    #: The serialized value as the database gives it (an expression of the stored column),
    #: read instead of the stored value when rows are serialized; ``serialize`` must give
    #: the same for the stored value.
    read: Callable[[str], Any] | None = None

    @property
    def source(self) -> str | None:
        """The model attribute behind the field (``name`` unless stated)."""
        return None if self.attr is None else (self.attr or self.name)

    def table_entry(self, with_options: bool = True) -> dict[str, Any]:
        """The ``table_model()`` entry; ``with_options=False`` skips reading a live vocabulary
        (for structures built at import time, before the database is there)."""
        return {
            "field": self.name,
            "label": self.label,
            "type": self.type,
            "filterable": self.filter is not None,
            "filter_type": self.filter.type if self.filter else None,
            "options": list(self.options) if self.options and with_options else None,
            "sortable": self.sortable and self.source is not None,
        }


def _read_key(item: Field) -> str:
    """The values key of a field the database serializes (``Field.read``)."""
    return f"read_{item.name}"


def _plan_entry(item: Field) -> tuple[str, str, Callable[[Mapping[str, Any]], Any] | None]:
    """How ``ListDeclaration.serialize`` fills one field (see ``ListDeclaration.plan``)."""
    source = item.source
    if item.read is not None and source is not None:
        return item.name, _read_key(item), None
    if source is None:
        derive = item.derive or (lambda values: None)
        return item.name, "", derive
    if item.serialize is _identity:
        return item.name, source, None
    convert = item.serialize
    return item.name, source, lambda values: convert(values[source], values)


@dataclass(frozen=True)
class Lookup:
    """A filter that is not a row field of its own (``name_exact`` reads ``name``)."""

    name: str
    attr: str
    filter: FilterKind
    label: str


@dataclass(frozen=True)
class DeclaredFilterEntry:
    """One filter as every door sees it: key, model attribute, kind, label and options."""

    key: str
    attr: str
    kind: FilterKind
    label: str
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ListDeclaration:
    """Everything a door needs to list, filter, sort and serialize one entity."""

    model: type[models.Model]
    fields: tuple[Field, ...]
    search: SearchFilter
    search_label: str = "Search"
    lookups: tuple[Lookup, ...] = ()
    #: Values read with every row for derived fields (joined columns, subqueries), as
    #: ``name -> expression``; they cost no extra query and are not part of the row.
    context: Callable[[], Mapping[str, Any]] | None = None
    #: Values read once for a whole page of rows (e.g. one grouped query over the engines
    #: on the page), added to each row's values in place before the rows are serialized.
    page_context: Callable[[list[dict[str, Any]]], None] | None = None
    #: For one row read alone (an edit's read under the row lock): the values
    #: ``page_context`` adds, as expressions read with the row instead of a second query.
    row_context: Callable[[], Mapping[str, Any]] | None = None
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)
    #: ``(name, source, convert)`` per field, worked out once: ``convert`` is ``None`` for a
    #: stored value given as read, else a function of the row's values.
    plan: tuple[tuple[str, str, Callable[[Mapping[str, Any]], Any] | None], ...] = field(
        init=False, repr=False, compare=False
    )
    #: ``values(queryset())``, built at first use (see ``values_queryset``).
    _values_base: QuerySet | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {item.name: item for item in self.fields})
        object.__setattr__(self, "plan", tuple(_plan_entry(item) for item in self.fields))

    def declared_filters(self) -> list[DeclaredFilterEntry]:
        """Every filter but the quick search: the fields' filters, then the lookups."""
        entries = [
            DeclaredFilterEntry(
                item.name, item.source or item.name, item.filter, item.label, item.options
            )
            for item in self.fields
            if item.filter is not None
        ]
        entries.extend(
            DeclaredFilterEntry(item.name, item.attr, item.filter, item.label)
            for item in self.lookups
        )
        return entries

    # metadata

    def table_model(self, with_options: bool = True) -> list[dict[str, Any]]:
        return [item.table_entry(with_options) for item in self.fields if item.column]

    def filters_model(self) -> list[dict[str, Any]]:
        entries = [
            {"field": item.key, "type": item.kind.type, "label": item.label}
            for item in self.declared_filters()
        ]
        entries.append({"field": SEARCH_KEY, "type": self.search.type, "label": self.search_label})
        return entries

    @property
    def filter_names(self) -> list[str]:
        return [entry["field"] for entry in self.filters_model()]

    @property
    def sort_fields(self) -> list[str]:
        return [
            item.name
            for item in self.fields
            if item.column and item.sortable and item.source is not None
        ]

    @property
    def writable_fields(self) -> list[Field]:
        return [item for item in self.fields if item.writable and item.source is not None]

    @property
    def read_only_names(self) -> set[str]:
        return {item.name for item in self.fields if not item.writable}

    def model_field(self, item: Field) -> models.Field:
        """The model field behind a stored field, through relations (``engine__status``)."""
        model = self.model
        *path, name = (item.source or "").split("__")
        for step in path:
            model = model._meta.get_field(step).related_model
        return model._meta.get_field(name)  # type: ignore[return-value]

    # filters and sort

    def normalize_filters(self, filters: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validated filters in canonical form, read by the entity's django-filter FilterSet
        (``inventory.filtersets``), which refuses unknown keys and malformed values.

        ``None`` and ``""`` mean "no filter" (a blank form field), and so does an empty
        capability set (having all of no capabilities). An empty list of ids or choices is
        kept: it matches no row, so "delete these" with nothing selected deletes nothing.
        """
        if filters is None:
            return {}
        if not isinstance(filters, Mapping):
            raise RegistryValidationError({"filters": ["filters must be an object"]})
        return self.filterset.normalize(filters)

    @property
    def filterset(self) -> Any:
        """The django-filter FilterSet generated from this declaration."""
        from .filtersets import filterset_of

        return filterset_of(self)

    def apply_filters(self, queryset: QuerySet, normalized: Mapping[str, Any]) -> QuerySet:
        """Narrow ``queryset`` with normalized filters, through the FilterSet's filters."""
        return self.filterset.apply(queryset, normalized)

    def normalize_sort(self, sort: Any, direction: str | None = None) -> dict[str, str]:
        """``{"field", "direction"}`` from ``"name"``, ``"-name"``, a dict or a pair.

        A leading ``-`` on the field means descending in every form, unless a direction is
        given explicitly; the HTTP API receives the same field text as ``sort=-name``.
        """
        field_name: Any = "id"
        wanted = direction
        if isinstance(sort, Mapping):
            field_name = sort.get("field", "id")
            wanted = sort.get("direction", wanted)
        elif isinstance(sort, list | tuple) and len(sort) == 2:
            field_name, wanted = sort
        elif isinstance(sort, str) and sort.strip():
            field_name = sort
        elif sort not in (None, ""):
            raise RegistryValidationError({"sort": [f"sort must be a field name, got {sort!r}"]})
        if isinstance(field_name, str):
            field_name = field_name.strip()
            if field_name.startswith("-"):
                field_name, wanted = field_name[1:], wanted or "desc"
        if field_name not in self.sort_fields:
            raise RegistryValidationError(
                {
                    "sort": [
                        f"cannot sort by {field_name!r}; sortable: {', '.join(self.sort_fields)}"
                    ]
                }
            )
        if wanted in (None, ""):
            wanted = "asc"
        if isinstance(wanted, str):
            wanted = wanted.strip().lower()
        if wanted not in DIRECTIONS:
            raise RegistryValidationError(
                {"direction": [f"direction must be 'asc' or 'desc', got {wanted!r}"]}
            )
        return {"field": field_name, "direction": wanted}

    def order_by(self, queryset: QuerySet, sort: Mapping[str, str]) -> QuerySet:
        attr = self.by_name[sort["field"]].source
        prefix = "-" if sort["direction"] == "desc" else ""
        keys = [f"{prefix}{attr}"]
        if attr != "id":
            keys.append(f"{prefix}id")
        return queryset.order_by(*keys)

    # rows

    @property
    def value_attrs(self) -> list[str]:
        """The stored columns rows are serialized from (a column the database serializes,
        ``Field.read``, is read as that text instead)."""
        return [item.source for item in self.fields if item.source is not None and not item.read]

    def serialize(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """One row from its values (with their context): the field plan is worked out once
        per declaration, so a row costs one dict entry per field and a call only for the
        fields that convert or derive."""
        row: dict[str, Any] = {}
        for name, source, convert in self.plan:
            row[name] = values[source] if convert is None else convert(values)
        return row

    def annotations(self) -> dict[str, Any]:
        """What rows read beside their stored columns: the declared context and the columns
        the database serializes (``Field.read``)."""
        context = dict(self.context()) if self.context else {}
        for item in self.fields:
            if item.read is not None and item.source is not None:
                context[_read_key(item)] = item.read(item.source)
        return context

    def single_row_annotations(self) -> dict[str, Any]:
        """``annotations`` and the ``row_context``: all one row is serialized from."""
        return {**self.annotations(), **(self.row_context() if self.row_context else {})}

    def values(self, queryset: QuerySet) -> QuerySet:
        """The values every row is serialized from, with the declared context (one query);
        ``add_page_context`` completes them with what is read once per page."""
        context = self.annotations()
        if context:
            queryset = queryset.annotate(**context)
        return queryset.values(*self.value_attrs, *context)

    def values_queryset(self) -> QuerySet:
        """``values(queryset())``, built once per declaration: resolving the context's joins
        and annotations costs about as much as compiling the query, and a page only narrows,
        orders and slices it (each a clone, so the shared queryset is never evaluated)."""
        if self._values_base is None:
            object.__setattr__(self, "_values_base", self.values(self.queryset()))
        return self._values_base  # type: ignore[return-value]

    def page_values(self, queryset: QuerySet) -> list[dict[str, Any]]:
        """The values of a page of rows (``queryset`` sliced), page context included."""
        return self.add_page_context(list(self.values(queryset)))

    def add_page_context(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``page`` (values from ``values``) with the declared page context added in place."""
        if self.page_context is not None and page:
            self.page_context(page)
        return page

    def serialize_page(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows of a page of values: page context first (one query at most), then each
        row."""
        serialize = self.serialize
        return [serialize(values) for values in self.add_page_context(page)]

    def rows(self, queryset: QuerySet) -> Iterator[dict[str, Any]]:
        """The rows of ``queryset``, a page at a time (a page is one query and its context)."""
        yield from self.serialize_page(list(self.values(queryset)))

    def row_for(self, instance: models.Model) -> dict[str, Any]:
        """The stored row of an instance, read back so it matches list rows exactly."""
        return next(self.rows(self.queryset().filter(pk=instance.pk)))

    def queryset(self) -> QuerySet:
        return self.model._default_manager.all()


# --- the list engine -----------------------------------------------------------------------


def parse_page(page: Any) -> int:
    value = parse_int("page", page if page is not None else 0)
    if value < 0:
        raise RegistryValidationError({"page": ["page must be 0 or more (pages are 0-based)"]})
    return value


def clamp_page_size(page_size: Any) -> int:
    value = parse_int("page_size", page_size if page_size is not None else DEFAULT_PAGE_SIZE)
    return max(MIN_PAGE_SIZE, min(MAX_PAGE_SIZE, value))


@dataclass
class ListRequest:
    """A validated list request: normalized filters and sort, and the filtered queryset."""

    declaration: ListDeclaration
    filters: dict[str, Any]
    sort: dict[str, str]

    @classmethod
    def build(
        cls,
        declaration: ListDeclaration,
        filters: Mapping[str, Any] | None = None,
        sort: Any = None,
        direction: str | None = None,
    ) -> ListRequest:
        return cls(
            declaration,
            declaration.normalize_filters(filters),
            declaration.normalize_sort(sort, direction),
        )

    def filtered(self, queryset: QuerySet | None = None) -> QuerySet:
        queryset = self.declaration.queryset() if queryset is None else queryset
        return self.declaration.apply_filters(queryset, self.filters)

    def ordered(self, queryset: QuerySet | None = None) -> QuerySet:
        return self.declaration.order_by(self.filtered(queryset), self.sort)

    def page_rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        """The rows ``start..stop-1`` of the ordered result: one query, and the page
        context's."""
        declaration = self.declaration
        page = self.ordered(declaration.values_queryset())[start:stop]
        return declaration.serialize_page(list_statements.page_values(declaration, page))


def list_page(
    declaration: ListDeclaration,
    page: Any = 0,
    page_size: Any = DEFAULT_PAGE_SIZE,
    filters: Mapping[str, Any] | None = None,
    sort: Any = None,
    direction: str | None = None,
) -> dict[str, Any]:
    """One page of rows in the list envelope; two SQL queries (count and page)."""
    page_number = parse_page(page)
    size = clamp_page_size(page_size)
    return envelope(ListRequest.build(declaration, filters, sort, direction), page_number, size)


def page_and_total(
    read: Callable[[int, int], Sequence[T]],
    count: Callable[[], int],
    summarized: Callable[[], int | None] | None,
    start: int,
    stop: int,
) -> tuple[Sequence[T], int]:
    """The rows ``start:stop`` (``read``) of a filtered list and its exact total.

    Where a maintained summary gives the count (``summarized``), it is read first and a page
    past the end reads no rows. Otherwise the page is read first: a page that is not full
    (nor past the end) gives the exact total by itself, from the same statement as its
    rows, so most selective filters and small tables run no count at all; a full page or one
    past the end is counted (``count``). The SDK, the API and the list pages all page so."""
    total = summarized() if summarized is not None else None
    if total is not None:
        return (read(start, stop) if start < total else []), total
    rows = read(start, stop)
    if 0 < len(rows) < stop - start or (not rows and start == 0):
        return rows, start + len(rows)
    return rows, count()


def envelope(request: ListRequest, page: int, page_size: int) -> dict[str, Any]:
    """The list envelope of one parsed page (``parse_page``, ``clamp_page_size``), its rows
    and total read as ``page_and_total`` says."""
    start, stop = page * page_size, (page + 1) * page_size
    filtered = request.filtered()
    rows, total = page_and_total(
        request.page_rows,
        lambda: list_statements.count(request.declaration, filtered),
        getattr(filtered, "summarized_count", None),
        start,
        stop,
    )
    return {
        "rows": rows,
        "total_rows": total,
        "page": page,
        "page_size": page_size,
        "filters": request.filters,
        "sort": request.sort,
    }


def count(declaration: ListDeclaration, filters: Mapping[str, Any] | None = None) -> int:
    return declaration.apply_filters(
        declaration.queryset(), declaration.normalize_filters(filters)
    ).count()
