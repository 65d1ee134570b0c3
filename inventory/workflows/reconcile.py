"""Reconcile a registered row against the catalog row it is linked to.

The diff compares the fields a binding takes from the catalog (``binding.catalog_values``:
remote URL, version, capabilities, path vs storage ref, VRAM/RAM vs requirements) and each
key of the catalog's ``extra_config`` defaults (reported as ``extra_config.<key>``). Applying
writes the chosen differences through ``inventory.services`` in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import history
from ..declarations import REGISTERED_MODELS
from ..errors import RegistryValidationError
from ..listing import ListRequest
from ..models import RegisteredModel
from ..values import parse_id
from .binding import MODELS, catalog_values

CONFIG_PREFIX = "extra_config."


def _load(model_id: Any, lock: bool = False) -> RegisteredModel:
    queryset = RegisteredModel.objects.select_related("available_model", "engine")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    pk = parse_id("id", model_id)
    model = queryset.filter(pk=pk).first()
    if model is None:
        raise RegistryValidationError({"id": [f"registered model {pk} does not exist"]})
    if model.available_model is None:
        raise RegistryValidationError(
            {
                "available_model_id": [
                    f"model {model.name!r} is not linked to a catalog model; nothing to reconcile"
                ]
            }
        )
    return model


def differences(model: RegisteredModel) -> list[dict[str, Any]]:
    """``[{"field", "registered", "catalog"}]`` for every field that differs."""
    catalog = model.available_model
    assert catalog is not None
    found: list[dict[str, Any]] = []
    for field, wanted in catalog_values(catalog).items():
        current = getattr(model, field)
        if current != wanted:
            found.append({"field": field, "registered": current, "catalog": wanted})
    config = model.extra_config if isinstance(model.extra_config, dict) else {}
    defaults = catalog.extra_config if isinstance(catalog.extra_config, dict) else {}
    for key in sorted(defaults):
        if config.get(key) != defaults[key]:
            found.append(
                {
                    "field": CONFIG_PREFIX + key,
                    "registered": config.get(key),
                    "catalog": defaults[key],
                }
            )
    return found


def report(model: RegisteredModel) -> dict[str, Any]:
    found = differences(model)
    return {
        "model_id": model.pk,
        "name": model.name,
        "engine_id": model.engine_id,
        "engine": model.engine.name,
        "available_model_id": model.available_model_id,
        "catalog_name": model.available_model.name if model.available_model else None,
        "in_sync": not found,
        "differences": found,
    }


def reconcile(model_id: Any) -> dict[str, Any]:
    """The diff of one registered row against its catalog row (nothing is written)."""
    return report(_load(model_id))


def _payload(model: RegisteredModel, chosen: list[dict[str, Any]]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    config = dict(model.extra_config) if isinstance(model.extra_config, dict) else {}
    for item in chosen:
        if item["field"].startswith(CONFIG_PREFIX):
            config[item["field"][len(CONFIG_PREFIX) :]] = item["catalog"]
            payload["extra_config"] = config
        else:
            payload[item["field"]] = item["catalog"]
    return payload


@history.grouped
def apply(
    model_id: Any,
    fields: Iterable[str] | None = None,
    confirm_embedding_model_change: bool = False,
    allow_over_capacity: bool = False,
) -> dict[str, Any]:
    """Apply the differences (all, or those named in ``fields``); returns
    ``{"applied": [field…], "reconcile": <diff after applying>}``."""
    if isinstance(fields, str):
        fields = [item.strip() for item in fields.split(",") if item.strip()]
    with history.atomic():
        model = _load(model_id, lock=True)
        found = differences(model)
        if fields is None:
            chosen = found
        else:
            wanted = list(fields)
            names = [item["field"] for item in found]
            unknown = [name for name in wanted if name not in names]
            if unknown:
                raise RegistryValidationError(
                    {
                        "fields": [
                            f"no difference to apply for {', '.join(map(repr, unknown))}; "
                            f"differing fields: {', '.join(names) or '(none)'}"
                        ]
                    }
                )
            chosen = [item for item in found if item["field"] in wanted]
        if chosen:
            MODELS.update_instance(
                model.pk,
                _payload(model, chosen),
                confirm_embedding_model_change=confirm_embedding_model_change,
                allow_over_capacity=allow_over_capacity,
            )
        return {"applied": [item["field"] for item in chosen], "reconcile": reconcile(model.pk)}


def linked_models(engine_id: Any = None) -> Any:
    """Registered rows with a catalog link, optionally on one engine, in id order."""
    queryset = RegisteredModel.objects.filter(available_model__isnull=False).select_related(
        "available_model", "engine"
    )
    if engine_id is not None:
        queryset = ListRequest.build(REGISTERED_MODELS, {"engine_id": engine_id}).filtered(queryset)
    return queryset.order_by("id")
