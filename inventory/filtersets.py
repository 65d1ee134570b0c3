"""django-filter FilterSets generated from the list declarations: what filters every list.

Each filter validates with its declaration's ``FilterKind.parse`` and narrows the queryset
with ``FilterKind.apply``. The list engine (``ListDeclaration.normalize_filters`` and
``apply_filters``) reads and applies filters through these FilterSets, so the SDK, the API
and the web pages filter with the same classes; the pages also draw their filter forms from
them. Strictness (unknown keys, malformed values) lives in ``DeclaredFilterSet.normalize``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.renderers import Jinja2

from .declarations import DECLARATIONS
from .errors import RegistryValidationError, unknown_keys_error
from .listing import SEARCH_KEY, FilterKind, ListDeclaration

BOOLEAN_CHOICES = (("", "any"), ("1", "yes"), ("0", "no"))
#: Draws the filter forms' widgets with Django's own Jinja2 widget templates: the same HTML
#: as its template-language ones, in half the time, on every list page. The other forms keep
#: the project's renderer (the admin's widgets have template-language templates only).
FILTER_FORM_RENDERER = Jinja2()


def repeated_value(data: Any, name: str) -> list[str] | None:
    """A parameter given more than once, as the API reads it: the list of its non-empty values
    (``status=active&status=error`` means either status); ``None`` when given at most once."""
    getlist = getattr(data, "getlist", None)
    items = getlist(name) if getlist is not None else []
    return [item for item in items if item != ""] if len(items) > 1 else None


class RepeatableTextInput(forms.TextInput):
    """A text box that reads a repeated parameter as a list and shows it as CSV (the form in
    which the filters accept several ids)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        repeated = repeated_value(data, name)
        return super().value_from_datadict(data, files, name) if repeated is None else repeated

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return ",".join(str(item) for item in value)
        return super().format_value(value)


class RepeatableSelect(forms.Select):
    """A drop-down that reads a repeated parameter as a list and then shows every value."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        repeated = repeated_value(data, name)
        return super().value_from_datadict(data, files, name) if repeated is None else repeated

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self.allow_multiple_selected = isinstance(value, list | tuple) and len(value) > 1
        return super().get_context(name, value, attrs)


class DeclaredFormField(forms.Field):
    """A form field that validates with a declaration's filter kind."""

    def __init__(
        self, key: str, kind: FilterKind, options: Iterable[str] | None = None, **kwargs: Any
    ):
        self.key = key
        self.kind = kind
        kwargs.setdefault("widget", self._widget(kind.type, options))
        super().__init__(**kwargs)

    @staticmethod
    def _widget(kind_type: str, options: Iterable[str] | None) -> forms.Widget:
        if kind_type == "capabilities":
            return forms.SelectMultiple(choices=[(item, item) for item in options or ()])
        if kind_type == "choice":
            # A blank vocabulary value (a catalog model without a format) is "any" here.
            values = [(item, item) for item in options or () if item]
            return RepeatableSelect(choices=[("", "any"), *values])
        if kind_type == "boolean":
            return RepeatableSelect(choices=BOOLEAN_CHOICES)
        if kind_type == "search":
            return RepeatableTextInput(attrs={"type": "search"})
        return RepeatableTextInput()

    def clean(self, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value == ""):
            return None
        try:
            return self.kind.parse(self.key, value)
        except RegistryValidationError as error:
            raise forms.ValidationError(error.message, code="invalid") from error


class DeclaredFilter(django_filters.Filter):
    """One declared filter: parse with the declaration, apply with the declaration."""

    def __init__(
        self, key: str, kind: FilterKind, attr: str, options: Iterable[str] | None, **kwargs: Any
    ):
        super().__init__(field_name=attr or key, **kwargs)
        self.key = key
        self.kind = kind
        self.attr = attr
        self.options = options or ()  # a live vocabulary is read when the form is built

    def __deepcopy__(self, memo: dict[int, Any]) -> DeclaredFilter:
        """The filter's own copy for one FilterSet (django-filter copies the filters of every
        FilterSet it builds, then sets its ``model`` and ``parent`` on each): a shallow one,
        as nothing else of a declared filter changes, its form field being made per copy."""
        clone = copy.copy(self)
        clone.__dict__.pop("_field", None)
        return clone

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            self._field = self.form_field(self.options)
        return self._field

    def form_field(self, options: Iterable[str]) -> forms.Field:
        """The filter's form field offering ``options`` (the live vocabulary, read)."""
        return DeclaredFormField(self.key, self.kind, options, label=self.label, required=False)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value is None:
            return qs
        return self.kind.apply(qs, self.attr, value)


class DeclaredFilterSet(django_filters.FilterSet):
    """Base of the generated FilterSets."""

    declaration: ListDeclaration
    #: Form classes by the live options of each filter (the latest few).
    _form_classes: dict[tuple[tuple[str, ...], ...], type[forms.Form]]
    FORM_CLASSES_KEPT = 8

    def get_form_class(self) -> type[forms.Form]:
        """django-filter's form class, with the fields built once per set of live options:
        the vocabularies are read for every form (a term an administrator adds shows at
        once), their fields and widgets built again only when the terms change."""
        options = tuple(tuple(iter(item.options)) for item in self.filters.values())
        classes = type(self).__dict__.get("_form_classes")
        if classes is None:
            classes = type(self)._form_classes = {}
        if options not in classes:
            fields = {
                name: item.form_field(offered)
                for (name, item), offered in zip(self.filters.items(), options, strict=True)
            }
            if len(classes) >= self.FORM_CLASSES_KEPT:
                classes.pop(next(iter(classes)))
            classes[options] = type(
                f"{type(self).__name__}Form",
                (self._meta.form,),
                {**fields, "default_renderer": FILTER_FORM_RENDERER},
            )
        return classes[options]

    def normalized(self) -> dict[str, Any]:
        """The valid, non-empty filter values, in the SDK's normalized form."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        cleaned = self.form.cleaned_data
        return {key: value for key, value in cleaned.items() if value is not None and value != ""}

    def error_dict(self) -> dict[str, list[str]]:
        return {
            key: [str(message) for message in messages] for key, messages in self.errors.items()
        }

    @classmethod
    def normalize(cls, filters: Mapping[str, Any]) -> dict[str, Any]:
        """Filters in the SDK's normalized form, each parsed by its filter; an unknown key or a
        malformed value is refused with the declaration's message (``unknown filter 'x';
        known filters: …``). No form is built: forms are for the pages' filter panels."""
        unknown = [key for key in filters if key not in cls.base_filters]
        if unknown:
            raise unknown_keys_error(unknown[:1], cls.declaration.filter_names, "filter")
        normalized: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for key, value in filters.items():
            if value is None or (isinstance(value, str) and value == ""):
                continue
            try:
                parsed = cls.base_filters[key].kind.parse(key, value)
            except RegistryValidationError as error:
                errors.update(error.errors)
                continue
            if parsed != "":
                normalized[key] = parsed
        if errors:
            raise RegistryValidationError(errors)
        return normalized

    @classmethod
    def apply(cls, queryset: QuerySet, normalized: Mapping[str, Any]) -> QuerySet:
        """Narrow ``queryset`` by normalized filters, each through its filter."""
        for key, value in normalized.items():
            queryset = cls.base_filters[key].filter(queryset, value)
        return queryset

    @classmethod
    def unknown_keys(cls, data: Mapping[str, Any], ignore: Iterable[str] = ()) -> list[str]:
        """Parameters that are neither filters nor in ``ignore`` (paging, sorting…)."""
        allowed = set(cls.base_filters) | set(ignore)
        return [key for key in data if key not in allowed]


def filterset_for(declaration: ListDeclaration) -> type[DeclaredFilterSet]:
    """The FilterSet class for one declaration."""
    filters: dict[str, DeclaredFilter] = {}
    for entry in declaration.declared_filters():
        filters[entry.key] = DeclaredFilter(
            entry.key, entry.kind, entry.attr, entry.options, label=entry.label
        )
    filters[SEARCH_KEY] = DeclaredFilter(
        SEARCH_KEY, declaration.search, "", None, label=declaration.search_label
    )
    meta = type("Meta", (), {"model": declaration.model, "fields": []})
    name = f"{declaration.model.__name__}FilterSet"
    return type(name, (DeclaredFilterSet,), {**filters, "Meta": meta, "declaration": declaration})


FILTERSETS: dict[str, type[DeclaredFilterSet]] = {
    name: filterset_for(declaration) for name, declaration in DECLARATIONS.items()
}
_BY_DECLARATION: dict[int, type[DeclaredFilterSet]] = {
    id(item.declaration): item for item in FILTERSETS.values()
}


def filterset_of(declaration: ListDeclaration) -> type[DeclaredFilterSet]:
    """The FilterSet of a declaration (generated once)."""
    found = _BY_DECLARATION.get(id(declaration))
    if found is None or found.declaration is not declaration:
        found = _BY_DECLARATION[id(declaration)] = filterset_for(declaration)
    return found
