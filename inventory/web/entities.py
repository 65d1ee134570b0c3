"""The inventories shown by the web pages, each tied to its one list declaration.

Everything an inventory page needs (table columns, filters, form fields, related rows, URL
names, permissions) is derived from the declaration and the model; this module only adds
the page titles and URL segments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.db import models
from django.db.models import F
from django.urls import get_script_prefix, reverse

from ..declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from ..filtersets import FILTERSETS, DeclaredFilterSet
from ..listing import Field, ListDeclaration
from ..services import SERVICES, EntityService

ACTIONS = ("view", "add", "change", "delete")
#: An id no row has, reversed once per URL name to cut the URL around the id.
_PK_MARK = 918273645546372819


@lru_cache(maxsize=64)
def _around_pk(url_name: str, script_prefix: str) -> tuple[str, str]:
    """The URL of ``url_name`` before and after its id: a table links each of its rows
    without reversing the URL once per row."""
    before, after = reverse(url_name, args=[_PK_MARK]).split(str(_PK_MARK))
    return before, after


@dataclass(frozen=True)
class Inventory:
    """One inventory page family: list, export, detail, create, edit and delete."""

    key: str  # SDK name, e.g. ``model_registry``
    slug: str  # URL segment, e.g. ``models``
    title: str
    icon: str
    declaration: ListDeclaration

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def filterset(self) -> type[DeclaredFilterSet]:
        return FILTERSETS[self.key]

    @property
    def service(self) -> EntityService:
        return SERVICES[self.key]

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def perm(self, action: str) -> str:
        """``inventory.view_engine`` and the like."""
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def can(self, user, action: str) -> bool:
        return user.has_perm(self.perm(action))

    def abilities(self, user) -> dict[str, bool]:
        return {action: self.can(user, action) for action in ACTIONS}

    def url_name(self, page: str) -> str:
        return f"inventory:{self.slug}-{page}"

    def url(self, page: str, pk: int | None = None) -> str:
        if type(pk) is int:
            before, after = self.url_around_pk(page)
            return f"{before}{pk}{after}"
        return reverse(self.url_name(page), args=[] if pk is None else [pk])

    def url_around_pk(self, page: str) -> tuple[str, str]:
        """The URL of a row's ``page`` before and after the row's id."""
        return _around_pk(self.url_name(page), get_script_prefix())

    @cached_property
    def relations(self) -> dict[str, models.ForeignKey]:
        """Declared reference fields (``engine_id``) mapped to their model foreign keys."""
        result: dict[str, models.ForeignKey] = {}
        for item in self.declaration.fields:
            if item.type == "reference":
                result[item.name] = model_field_for(self.model, item)  # type: ignore[assignment]
        return result

    def queryset(self) -> models.QuerySet:
        """The declaration's queryset with its references joined (one query per page)."""
        names = [field.name for field in self.relations.values()]
        return self.declaration.queryset().select_related(*names)

    def table_queryset(self, shown: Iterable[str] = ()) -> models.QuerySet:
        """``queryset()`` for a table page, reading only what its cells show: the row's id,
        name and references, the own fields of the ``shown`` columns, and through each
        reference only the values its cells show (the referenced row's name, and paths such
        as ``engine__status``), each under ``cell_alias(path)``. No referenced row is built:
        a page neither decodes the JSON it does not show nor builds three rows per row."""
        fields = {
            key: field.name
            for field in self.model._meta.concrete_fields
            for key in (field.name, field.attname)
        }
        own = {self.model._meta.pk.name, "name", *(fk.name for fk in self.relations.values())}
        through = [f"{fk.name}__name" for fk in self.relations.values()]
        for name in shown:
            source = self.declaration.by_name[name].source or ""
            if "__" in source:
                through.append(source)
            elif source in fields:
                own.add(fields[source])
        annotations = {cell_alias(path): F(path) for path in through}
        return self.declaration.queryset().only(*own).annotate(**annotations)


def cell_alias(path: str) -> str:
    """The attribute a table page's row holds a value read through a reference under
    (``engine__status`` → ``cell_engine_status``)."""
    return "cell_" + path.replace("__", "_")


def model_field_for(model: type[models.Model], item: Field) -> models.Field:
    """The model field behind a declared field (matched by attribute, so ``engine_id`` is the
    foreign key ``engine``)."""
    for candidate in model._meta.concrete_fields:
        if item.source in (candidate.name, candidate.attname):
            return candidate
    raise LookupError(f"{model.__name__} has no field for {item.name!r}")


INVENTORIES: tuple[Inventory, ...] = (
    Inventory("engine_registry", "engines", "Engines", "cpu", ENGINES),
    Inventory("available_model_registry", "catalog", "Catalog", "journal-album", AVAILABLE_MODELS),
    Inventory("model_registry", "models", "Registered models", "boxes", REGISTERED_MODELS),
)

BY_SLUG: dict[str, Inventory] = {item.slug: item for item in INVENTORIES}
BY_MODEL: dict[type[models.Model], Inventory] = {item.model: item for item in INVENTORIES}
BY_KEY: dict[str, Inventory] = {item.key: item for item in INVENTORIES}
