"""What a detail page shows: the row's fields grouped into sections, empty ones folded away,
the API representation for developers, and the panels of related rows beside them.

Every declared field appears exactly once: in the section that names it, or in "Other" for
a field no section names, so a field added to a declaration is never lost from the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from .. import capacity
from ..declarations import ENGINES
from ..listing import Field
from ..models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from ..row_warnings import catalog_differences
from . import presentation as show
from .entities import BY_KEY, Inventory
from .tables import render_value

#: Rows listed in a related panel; the panel links to the full list beyond that.
RELATED_ROWS = 10

IDENTITY = "Identity"
TIMESTAMPS = ("Timestamps", ("created_at", "updated_at"))

#: Section title and the declared fields it shows, in order, per inventory.
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "engine_registry": (
        (IDENTITY, ("name", "provider", "status", "supported", "id")),
        (
            "Resources",
            ("vram_total_mb", "ram_total_mb", "vram_used_mb", "ram_used_mb", "over_capacity"),
        ),
        ("Configuration", ("config",)),
        TIMESTAMPS,
    ),
    "available_model_registry": (
        (IDENTITY, ("name", "label", "family", "version", "summary", "status", "id")),
        (
            "Source",
            (
                "source_kind",
                "provider_hint",
                "catalog_model_id",
                "format",
                "quantization",
                "storage_ref",
                "remote_url",
            ),
        ),
        ("Capabilities", ("capabilities", "extended_capabilities", "interfaces", "tags")),
        ("Requirements", ("requirements", "artifacts")),
        ("Configuration", ("extra_config", "metadata", "source_payload")),
        TIMESTAMPS,
    ),
    "model_registry": (
        (IDENTITY, ("name", "status", "engine_id", "available_model_id", "version", "id")),
        (
            "Runtime",
            ("model_path", "remote_url", "is_downloaded", "capabilities", "runtime_methods"),
        ),
        ("Resources", ("vram_required_mb", "ram_required_mb")),
        ("Configuration", ("extra_config",)),
        ("Sync", ("engine_status", "over_capacity", "warnings")),
        TIMESTAMPS,
    ),
}
OTHER = "Other"


@dataclass
class DetailField:
    """One field as the page shows it: screen label, API name (in a tooltip), value."""

    name: str
    label: str
    value: Any
    empty: bool


@dataclass
class Section:
    title: str
    fields: list[DetailField] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.title.lower()

    @property
    def shown(self) -> list[DetailField]:
        return [item for item in self.fields if not item.empty]


def is_empty(value: Any) -> bool:
    """No value to show: nothing, blank text, an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not value
    return False


def sections_for(
    inventory: Inventory, values: Mapping[str, Any], instance: models.Model
) -> list[Section]:
    """The declared fields of one row, grouped into sections (``values`` as read by the
    declaration, references taken from the instance's joined rows)."""
    by_name = inventory.declaration.by_name
    placed: set[str] = set()
    result = []
    for title, names in SECTIONS.get(inventory.key, ()):
        section = Section(title)
        for name in names:
            if name in by_name:
                section.fields.append(_field(inventory, by_name[name], values, instance))
                placed.add(name)
        result.append(section)
    rest = Section(OTHER)
    for item in inventory.declaration.fields:
        if item.name not in placed:
            rest.fields.append(_field(inventory, item, values, instance))
    if rest.fields:
        result.insert(-1, rest)
    return [section for section in result if section.fields]


def _field(
    inventory: Inventory, item: Field, values: Mapping[str, Any], instance: models.Model
) -> DetailField:
    if item.source is None:
        value = item.derive(values) if item.derive else None
    elif item.read is not None or item.name in inventory.relations:
        relation = inventory.relations.get(item.name)  # the joined row, or the stored value
        value = getattr(instance, relation.name if relation else item.source)
    else:
        value = values[item.source]
    if item.type == "json":
        value = item.serialize(value, values)
    elif item.type == "list" and isinstance(value, str):
        value = [token for token in value.split(",") if token]
    if is_empty(value):
        return DetailField(item.name, item.label, show.EMPTY, True)
    if item.type in ("string", "text") and show.web_url(value):
        rendered = show.external_link(value)
    elif item.type == "json":
        rendered = show.pretty_json(value)
    elif item.name == "warnings":
        rendered = show.sentences(value)
    else:
        rendered = render_value(inventory, item, value)
    return DetailField(item.name, item.label, rendered, False)


def api_row(inventory: Inventory, values: Mapping[str, Any]) -> str:
    """The row as the API and the SDK return it (secrets masked), for the developer view."""
    row = inventory.declaration.serialize(values)
    return json.dumps(row, indent=2, ensure_ascii=False, default=str)


def api_url(inventory: Inventory, pk: int) -> str:
    return reverse(f"api:{inventory.key}-detail", args=[pk])


# --- related panels ------------------------------------------------------------------------


@dataclass
class Panel:
    """A box beside the fields: a title, rows or facts, and where to see more."""

    key: str
    title: str
    icon: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    list_url: str | None = None
    create_url: str | None = None
    facts: list[tuple[str, Any]] = field(default_factory=list)
    empty_text: str = "None."


def panels_for(
    inventory: Inventory, instance: models.Model, values: Mapping[str, Any], user: Any
) -> list[Panel]:
    """The related panels of one row, each a constant number of queries."""
    if isinstance(instance, Engine):
        return _engine_panels(instance, user)
    if isinstance(instance, AvailableModel):
        return _catalog_panels(instance, user)
    if isinstance(instance, RegisteredModel):
        return _model_panels(instance, values, user)
    return []


def _models_inventory(user: Any) -> Inventory | None:
    models_inventory = BY_KEY["model_registry"]
    return models_inventory if models_inventory.can(user, "view") else None


def _engine_panels(engine: Engine, user: Any) -> list[Panel]:
    """Its registered models, each with its memory against the engine's capacity."""
    models_inventory = _models_inventory(user)
    if models_inventory is None:
        return []
    rows = list(
        RegisteredModel.objects.filter(engine=engine)
        .order_by("name", "id")
        .values("id", "name", "status", "vram_required_mb", "ram_required_mb")[:RELATED_ROWS]
    )
    totals = RegisteredModel.objects.filter(engine=engine).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=RegisteredModel.Status.ACTIVE))
    )
    for row in rows:
        row["url"] = models_inventory.url("detail", row["id"])
        row["status_badge"] = show.status_badge(row["status"])
        row["memory"] = [
            _share(label, row[need], getattr(engine, total_attr))
            for label, need, total_attr in capacity.RESOURCES
        ]
    panel = Panel(
        "engine-models",
        "Registered models",
        models_inventory.icon,
        rows=rows,
        total=totals["total"],
        list_url=f"{models_inventory.url('list')}?engine_id={engine.pk}",
        create_url=(
            f"{models_inventory.url('create')}?engine={engine.pk}"
            if models_inventory.can(user, "add")
            else None
        ),
        empty_text="No model is registered on this engine.",
    )
    panel.facts = [("Active models", totals["active"])]  # their needs: the capacity card
    return [panel]


def engine_usage(engine: Engine, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``capacity.usage`` of an engine from its declared row values."""
    used = [ENGINES.by_name[name].derive(values) for name in ("vram_used_mb", "ram_used_mb")]
    return capacity.usage(engine, used)


def _share(label: str, need: int, total: int | None) -> dict[str, Any]:
    """One model's need of one resource, against the engine's capacity when declared."""
    text = capacity.humanize_mb(need)
    if total:
        percent = round(100 * need / total)
        return {
            "label": label,
            "need": need,
            "total": total,
            "percent": percent,
            "text": f"{text} of {capacity.humanize_mb(total)} ({percent}%)",
        }
    return {"label": label, "need": need, "total": None, "percent": None, "text": text}


def _catalog_panels(catalog: AvailableModel, user: Any) -> list[Panel]:
    """Where the catalog row is registered: the engines, with links."""
    models_inventory = _models_inventory(user)
    if models_inventory is None:
        return []
    engines = BY_KEY["engine_registry"]
    found = RegisteredModel.objects.filter(available_model=catalog)
    rows = [
        {
            "id": row.pk,
            "name": row.name,
            "url": models_inventory.url("detail", row.pk),
            "status_badge": show.status_badge(row.status),
            "engine": row.engine.name,
            "engine_url": engines.url("detail", row.engine_id),
        }
        for row in found.select_related("engine").order_by("engine__name", "name", "id")[
            :RELATED_ROWS
        ]
    ]
    bind = reverse("inventory:workflow-bind", args=[catalog.pk])
    return [
        Panel(
            "catalog-registrations",
            "Registered on",
            engines.icon,
            rows=rows,
            total=found.count(),
            list_url=f"{models_inventory.url('list')}?available_model_id={catalog.pk}",
            create_url=bind if models_inventory.can(user, "add") else None,
            empty_text="Not registered on any engine.",
        )
    ]


def _model_panels(model: RegisteredModel, values: Mapping[str, Any], user: Any) -> list[Panel]:
    """Its engine, its catalog row and whether it is in sync, and its use by knowledge."""
    engines, catalog = BY_KEY["engine_registry"], BY_KEY["available_model_registry"]
    engine = model.engine
    engine_panel = Panel("model-engine", "Engine", engines.icon)
    engine_panel.facts = [
        ("Engine", show.link(engines.url("detail", engine.pk), engine.name)),
        ("Provider", engine.provider),
        ("Status", show.status_badge(engine.status)),
        *(
            (
                f"{item['label']} needed by active models",
                f"{item['used_text']} of {item['total_text']}",
            )
            for item in engine_usage(
                engine, ENGINES.page_values(ENGINES.queryset().filter(pk=engine.pk))[0]
            )
        ),
    ]
    catalog_panel = Panel("model-catalog", "Catalog model", catalog.icon)
    linked = model.available_model
    if linked is None:
        catalog_panel.facts = [("Catalog model", "Not linked to the catalog.")]
    else:
        differences = catalog_differences(values)
        sync = (
            f"Out of sync: {', '.join(differences)} differ (see Reconcile)"
            if differences
            else "In sync with the catalog row."
        )
        catalog_panel.facts = [
            ("Catalog model", show.link(catalog.url("detail", linked.pk), linked.name)),
            ("Label", linked.label or show.EMPTY),
            ("Family", linked.family or show.EMPTY),
            ("Sync", sync),
        ]
    settings = KnowledgeSettings.objects.filter(pk=KnowledgeSettings.SINGLETON_ID).first()
    in_use = bool(settings and settings.embedding_model_id == model.pk)
    knowledge = Panel("model-knowledge", "Knowledge", "lightbulb")
    knowledge.facts = [
        ("Knowledge embedding model", show.boolean_icon(in_use)),
        ("Knowledge", "enabled" if settings and settings.enabled else "disabled"),
        ("Settings", show.link(reverse("inventory:knowledge"), "Knowledge settings")),
    ]
    return [engine_panel, catalog_panel, knowledge]
