"""Bind a catalog model to an engine, and deactivate a registered row.

Binding creates, or updates when one already exists for the same engine and catalog model,
the registered row ``engine_<engine id>__<catalog name made safe>``. Its fields come from
the catalog row (``catalog_values``), its ``extra_config`` is merged as catalog defaults <
existing row < values given now, and its status becomes ``active``. An existing row keeps
its name. Every write goes through ``inventory.services`` (model ``full_clean()``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from .. import history
from ..errors import RegistryValidationError
from ..models import AvailableModel, Engine, RegisteredModel
from ..services import SERVICES
from ..values import parse_id

MODELS = SERVICES["model_registry"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def binding_prefix(engine_id: int) -> str:
    return f"engine_{engine_id}__"


def binding_name(engine_id: int, catalog_name: str) -> str:
    """``engine_<id>__<name>`` with every run of characters outside ``[A-Za-z0-9._-]``
    replaced by ``_``; shortened with a hash suffix when it would exceed the name length."""
    safe = _UNSAFE.sub("_", catalog_name).strip("_") or "model"
    name = binding_prefix(engine_id) + safe
    limit = RegisteredModel._meta.get_field("name").max_length
    if len(name) > limit:
        digest = hashlib.sha1(catalog_name.encode()).hexdigest()[:10]
        name = f"{name[: limit - 11]}_{digest}"
    return name


def catalog_values(catalog: AvailableModel) -> dict[str, Any]:
    """The registered-row fields a catalog row determines (payload keys). The path is the
    storage ref, else the remote URL (left alone when the catalog has neither); VRAM/RAM come
    from ``requirements.vram_mb`` / ``ram_mb`` when the catalog states them."""
    values: dict[str, Any] = {
        "remote_url": catalog.remote_url,
        "version": catalog.version,
        "capabilities": catalog.capabilities,
    }
    if catalog.storage_ref or catalog.remote_url:
        values["model_path"] = catalog.storage_ref or catalog.remote_url
    requirements = catalog.requirements if isinstance(catalog.requirements, dict) else {}
    for key, field in (("vram_mb", "vram_required_mb"), ("ram_mb", "ram_required_mb")):
        if key in requirements:
            values[field] = requirements[key]
    return values


def merge_config(*layers: Any) -> dict[str, Any]:
    """Later layers win; nested objects (such as ``defaults``) are merged key by key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if not isinstance(layer, Mapping):
            continue
        for key, value in layer.items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
                merged[key] = merge_config(merged[key], value)
            else:
                merged[key] = dict(value) if isinstance(value, Mapping) else value
    return merged


def _reference_error(field: str, key: str) -> RegistryValidationError:
    message = RegisteredModel._meta.get_field(field).error_messages["invalid"]
    return RegistryValidationError({key: [message]})


def provider_refusal(catalog: AvailableModel, engine: Engine) -> str | None:
    """Why ``catalog`` cannot run on ``engine``, or ``None`` when it may."""
    if catalog.admits_provider(engine.provider):
        return None
    stated = "; ".join(
        f"{field} admits {', '.join(names)}"
        for field, names in catalog.provider_restrictions().items()
    )
    return (
        f"catalog model {catalog.name!r} cannot be bound to engine {engine.name!r}: the engine's "
        f"provider is {engine.provider!r} but {stated}"
    )


@history.grouped
def bind(
    engine_id: Any,
    available_model_id: Any,
    extra_config: Any = None,
    confirm_embedding_model_change: bool = False,
    allow_over_capacity: bool = False,
    name: str | None = None,
) -> tuple[RegisteredModel, bool]:
    """Bind; returns the registered row and whether it was created. ``name`` names a new row
    (default: the binding name); an existing row keeps its name."""
    engine_pk = parse_id("engine_id", engine_id)
    catalog_pk = parse_id("available_model_id", available_model_id)
    if extra_config is not None and not isinstance(extra_config, Mapping):
        raise RegistryValidationError({"extra_config": ["extra_config must be a JSON object"]})
    with history.atomic():
        engine = Engine.objects.filter(pk=engine_pk).first()
        if engine is None:
            raise _reference_error("engine", "engine_id")
        # Locking the catalog row serializes binds of one catalog model: a concurrent bind
        # waits, then finds the row this one created and updates it.
        catalog = (
            AvailableModel.objects.select_for_update(no_key=True).filter(pk=catalog_pk).first()
        )
        if catalog is None:
            raise _reference_error("available_model", "available_model_id")
        refusal = provider_refusal(catalog, engine)
        if refusal:
            raise RegistryValidationError({"available_model_id": [refusal]})
        default_name = binding_name(engine.pk, catalog.name)
        existing = (
            RegisteredModel.objects.select_for_update()
            .filter(engine=engine, available_model=catalog)
            .order_by("id")
        )
        current = (
            next((row for row in existing if row.name == default_name), None) or existing.first()
        )
        payload = {
            **catalog_values(catalog),
            "engine_id": engine.pk,
            "available_model_id": catalog.pk,
            "status": RegisteredModel.Status.ACTIVE,
            "is_downloaded": bool(catalog.storage_ref) or bool(current and current.is_downloaded),
            "extra_config": merge_config(
                catalog.extra_config, current.extra_config if current else None, extra_config
            ),
        }
        options = {
            "confirm_embedding_model_change": confirm_embedding_model_change,
            "allow_over_capacity": allow_over_capacity,
        }
        if current is None:
            chosen = default_name if name in (None, "") else name
            return MODELS.create_instance({"name": chosen, **payload}, **options), True
        return MODELS.update_instance(current.pk, payload, **options), False


def deactivate(
    model_id: Any, confirm_embedding_model_change: bool = False
) -> RegisteredModel | None:
    """Set a registered row back to ``available`` (the row is kept); ``None`` when missing.
    The knowledge embedding model, while knowledge is enabled, needs the confirmation."""
    return MODELS.update_instance(
        model_id,
        {"status": RegisteredModel.Status.AVAILABLE},
        confirm_embedding_model_change=confirm_embedding_model_change,
    )
