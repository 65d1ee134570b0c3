"""Admin changelists generated from the list declarations.

Columns come from ``table_model()``, the sidebar filters from the declared filters and the
search fields from the declared quick search, so the admin lists what the SDK, the API and
the inventory pages list. Every sidebar filter parses and applies its value through the
declaration (``normalize_filters`` / ``apply_filters``), so a capability filter matches whole
tokens here exactly as it does everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from . import capabilities as caps
from .errors import RegistryValidationError
from .listing import ExactTextFilter, Field, ListDeclaration
from .web.presentation import STATUS_LABELS, escape_text, memory_need

#: Upper bound on the choices a sidebar filter lists (distinct providers, engines, ...).
FILTER_CHOICES_LIMIT = 100

BOOLEAN_LOOKUPS = (("1", "Yes"), ("0", "No"))


@lru_cache(maxsize=32)
def _checkbox_label(language: str | None) -> str:
    """Django's label of a row checkbox in ``language`` (the active one), translated once."""
    return gettext("Select this object for an action - {}")


def related_field(declaration: ListDeclaration, item: Field) -> models.ForeignKey:
    """The foreign key behind a ``reference`` field (``engine_id`` -> ``engine``)."""
    return declaration.model._meta.get_field(item.source)  # type: ignore[return-value]


def change_url(site_name: str, model: type[models.Model], pk: Any) -> str:
    opts = model._meta
    return reverse(f"{site_name}:{opts.app_label}_{opts.model_name}_change", args=[pk])


def changelist_url(site_name: str, model: type[models.Model], **filters: Any) -> str:
    """The admin changelist of ``model``, narrowed by declared filters."""
    opts = model._meta
    url = reverse(f"{site_name}:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def capability_badges(value: str) -> str:
    return format_html_join(
        "",
        '<span class="capability-badge">{}</span>',
        ((token,) for token in caps.parse_stored(value)),
    )


# --- columns -------------------------------------------------------------------------------


def _reference_column(
    declaration: ListDeclaration, item: Field, site_name: str
) -> Callable[[models.Model], str | None]:
    fk = related_field(declaration, item)

    @admin.display(description=item.label, ordering=item.source if item.sortable else None)
    def column(obj: models.Model) -> str | None:
        pk = getattr(obj, fk.attname)
        if pk is None:
            return None
        related = getattr(obj, fk.name)
        return format_html(
            '<a href="{}">{}</a>', change_url(site_name, fk.related_model, pk), related
        )

    column.__name__ = fk.name
    column.cell_key = attrgetter(fk.attname)  # type: ignore[attr-defined]
    return column


def _capabilities_column(item: Field) -> Callable[[models.Model], str]:
    @admin.display(description=item.label)
    def column(obj: models.Model) -> str:
        return capability_badges(getattr(obj, item.source))

    column.__name__ = item.name
    column.cell_key = attrgetter(item.source)  # type: ignore[attr-defined]
    return column


def _value_column(item: Field, sortable: bool) -> Callable[[models.Model], Any]:
    @admin.display(
        description=item.label,
        ordering=item.source if sortable else None,
        boolean=item.type == "boolean" or None,
    )
    def column(obj: models.Model) -> Any:
        value = getattr(obj, item.source)
        if item.name == "status":
            # Worded as in the selects and the pages' badges.
            return STATUS_LABELS.get(value, value)
        if item.type == "integer" and item.name.endswith("_mb"):
            # As the pages show memory: CPU for no VRAM, MB and GB.
            return memory_need(item.name, value)
        return value

    column.__name__ = item.name
    column.cell_key = attrgetter(item.source)  # type: ignore[attr-defined]
    return column


def list_columns(declaration: ListDeclaration, site_name: str) -> list[Callable]:
    """``list_display`` for the declaration's table columns, labelled as declared."""
    columns: list[Callable] = []
    for entry in declaration.table_model():
        item = declaration.by_name[entry["field"]]
        if item.source is None:
            continue
        if item.type == "reference":
            columns.append(_reference_column(declaration, item, site_name))
        elif item.type == "capabilities":
            columns.append(_capabilities_column(item))
        else:
            columns.append(_value_column(item, entry["sortable"]))
    return columns


def select_related(declaration: ListDeclaration) -> list[str]:
    """The foreign keys the columns display, fetched with the page in one query."""
    return [
        related_field(declaration, item).name
        for item in declaration.fields
        if item.type == "reference" and item.column
    ]


# --- filters -------------------------------------------------------------------------------


class DeclaredListFilter(admin.SimpleListFilter):
    """A sidebar filter for one declared filter; generated by ``list_filters``."""

    declaration: ClassVar[ListDeclaration]
    item: ClassVar[Field]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return list(self.options())

    def options(self) -> Iterator[tuple[str, str]]:
        raise NotImplementedError

    def normalized(self) -> dict[str, Any]:
        """The filter value parsed by the declaration; bad input is a lookup error."""
        try:
            return self.declaration.normalize_filters({self.parameter_name: self.value()})
        except RegistryValidationError as error:
            raise IncorrectLookupParameters(error.message) from error

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return self.declaration.apply_filters(queryset, self.normalized())


class ChoiceListFilter(DeclaredListFilter):
    def options(self) -> Iterator[tuple[str, str]]:
        labels = dict(self.declaration.model_field(self.item).flatchoices)
        for option in self.item.options or ():
            if option:
                yield option, str(labels.get(option, option))


class BooleanListFilter(DeclaredListFilter):
    def options(self) -> Iterator[tuple[str, str]]:
        yield from BOOLEAN_LOOKUPS


class DistinctValuesListFilter(DeclaredListFilter):
    """Exact-match text (``provider``): the values in use, as found in the table."""

    def options(self) -> Iterator[tuple[str, str]]:
        attr = self.item.source
        values = (
            self.declaration.model._default_manager.exclude(**{attr: ""})
            .order_by(attr)
            .values_list(attr, flat=True)
            .distinct()[:FILTER_CHOICES_LIMIT]
        )
        for value in values:
            yield value, value


class ReferenceListFilter(DeclaredListFilter):
    """Rows of the referenced table by name, bounded; the selected one is always listed."""

    def options(self) -> Iterator[tuple[str, str]]:
        related = related_field(self.declaration, self.item).related_model
        rows = list(related._default_manager.order_by("name", "pk")[:FILTER_CHOICES_LIMIT])
        selected = self.value()
        if selected and selected.isdigit() and all(str(row.pk) != selected for row in rows):
            rows.extend(related._default_manager.filter(pk=int(selected)))
        for row in rows:
            yield str(row.pk), str(row)


class CapabilityListFilter(DeclaredListFilter):
    """The vocabulary; choosing several capabilities narrows to rows that have them all."""

    def options(self) -> Iterator[tuple[str, str]]:
        for capability in caps.known():
            yield capability, capability

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        try:
            current = caps.parse_stored(self.normalized().get(self.parameter_name, ""))
        except IncorrectLookupParameters:
            current = []
        yield {
            "selected": not current,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        for capability, title in self.lookup_choices:
            chosen = capability in current
            tokens = [token for token in current if token != capability]
            if not chosen:
                tokens.append(capability)
            query_string = (
                changelist.get_query_string({self.parameter_name: ",".join(tokens)})
                if tokens
                else changelist.get_query_string(remove=[self.parameter_name])
            )
            yield {"selected": chosen, "query_string": query_string, "display": title}


def _filter_class(item: Field) -> type[DeclaredListFilter] | None:
    """Which sidebar filter a declared filter gets; free-text and id filters get none
    (the search box covers names)."""
    kind = item.filter
    if kind is None:
        return None
    if item.type == "reference":
        return ReferenceListFilter
    if kind.type == "capabilities":
        return CapabilityListFilter
    if kind.type == "choice":
        return ChoiceListFilter
    if kind.type == "boolean":
        return BooleanListFilter
    if isinstance(kind, ExactTextFilter):
        return DistinctValuesListFilter
    return None


def list_filters(declaration: ListDeclaration) -> list[type[DeclaredListFilter]]:
    """``list_filter`` for the declaration: one sidebar filter per declared filter that makes
    sense as a list of choices, named by its declared key (``?engine_id=3&capabilities=chat``).
    """
    filters: list[type[DeclaredListFilter]] = []
    for item in declaration.fields:
        base = _filter_class(item)
        if base is None:
            continue
        filters.append(
            type(
                f"{item.name.title().replace('_', '')}ListFilter",
                (base,),
                {
                    "declaration": declaration,
                    "item": item,
                    "title": item.label,
                    "parameter_name": item.name,
                },
            )
        )
    return filters


class DeclaredListAdmin(admin.ModelAdmin):
    """A ModelAdmin whose changelist is generated from ``declaration``."""

    declaration: ClassVar[ListDeclaration]
    show_facets = admin.ShowFacets.NEVER
    # "N results (M total)" costs a second, unfiltered COUNT(*) over the whole table on every
    # filtered changelist; the filtered count is shown alone.
    show_full_result_count = False
    # Rows rendered once per column (inventory.admin_results), the same HTML as Django's.
    change_list_template = "admin/inventory/declared_change_list.html"

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite):
        super().__init__(model, admin_site)
        self.list_display = list_columns(self.declaration, admin_site.name)
        self.list_display_links = [
            column for column in self.list_display if column.__name__ in ("id", "name")
        ] or None
        self.list_filter = list_filters(self.declaration)
        self.search_fields = list(self.declaration.search.attrs)
        self.list_select_related = select_related(self.declaration) or False

    def action_checkbox(self, obj: models.Model) -> str:
        """Django's row checkbox, written directly: the widget's template rendering costs
        more than the rest of the row."""
        label = _checkbox_label(get_language()).format(escape_text(obj))
        return SafeString(
            f'<input type="checkbox" name="{escape_text(helpers.ACTION_CHECKBOX_NAME)}"'
            f' value="{escape_text(obj.pk)}" class="action-select" aria-label="{label}">'
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """The admin search (changelist and autocomplete). No stored text holds a NUL (the
        models refuse it) and PostgreSQL cannot even compare with one: such a term finds
        nothing."""
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any):
        """Form inputs carry the declared labels, as the columns do."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        item = self.declaration.by_name.get(db_field.attname)
        if formfield is not None and item is not None:
            formfield.label = item.label
        return formfield
