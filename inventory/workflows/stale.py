"""Find and prune stale registered rows.

A registered row is stale when at least one of these holds:

* its engine is ``uninstalled`` or in ``error``;
* its catalog link is gone: ``available_model`` is empty while the row's name is a binding
  name (``engine_<engine id>__…``, see ``binding.binding_name``), so it was made by binding
  a catalog model that has since been deleted. Rows registered by hand without a catalog
  link are not stale for that reason;
* its own status is ``error`` or ``disabled``.

The knowledge embedding model is never pruned (it is reported as kept). Pruning deletes
registry rows only; storage on disk is left untouched (storage cleanup is a separate
concern). Pruning takes the ids that were listed and deletes exactly those, refusing the
whole batch when any of them is no longer stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from .. import history
from ..declarations import REGISTERED_MODELS
from ..errors import RegistryValidationError
from ..listing import ListRequest, parse_bool
from ..models import Engine, KnowledgeSettings, RegisteredModel
from ..services import delete_instance
from .binding import binding_prefix

STALE_ENGINE_STATUSES = (Engine.Status.UNINSTALLED, Engine.Status.ERROR)
STALE_MODEL_STATUSES = (RegisteredModel.Status.ERROR, RegisteredModel.Status.DISABLED)
STORAGE_NOTE = "Storage on disk is not touched: only registry rows are deleted."
KNOWLEDGE_NOTE = "The knowledge embedding model is never pruned."


def reasons(model: RegisteredModel) -> list[str]:
    """Why a registered row is stale (empty: it is not)."""
    found: list[str] = []
    if model.engine.status in STALE_ENGINE_STATUSES:
        state = "in error" if model.engine.status == Engine.Status.ERROR else "uninstalled"
        found.append(f"engine {model.engine.name!r} is {state}")
    if model.available_model_id is None and model.name.startswith(binding_prefix(model.engine_id)):
        found.append("catalog link is gone (the catalog model was deleted)")
    if model.status in STALE_MODEL_STATUSES:
        found.append(f"status is {model.status}")
    return found


def _candidates(engine_id: Any = None, ids: Any = None) -> QuerySet:
    condition = (
        Q(engine__status__in=STALE_ENGINE_STATUSES)
        | Q(status__in=STALE_MODEL_STATUSES)
        | Q(available_model__isnull=True, name__startswith="engine_")
    )
    queryset = RegisteredModel.objects.filter(condition).select_related("engine")
    if engine_id is not None:
        queryset = ListRequest.build(REGISTERED_MODELS, {"engine_id": engine_id}).filtered(queryset)
    if ids is not None:
        queryset = queryset.filter(pk__in=_parse_ids(ids))
    return queryset.order_by("id")


def _entry(model: RegisteredModel, found: list[str]) -> dict[str, Any]:
    return {
        "id": model.pk,
        "name": model.name,
        "engine_id": model.engine_id,
        "engine": model.engine.name,
        "status": model.status,
        "reasons": found,
    }


def find_stale(engine_id: Any = None, ids: Any = None) -> dict[str, Any]:
    """``{"rows": [stale rows], "kept": [stale-looking rows never pruned], "notes": [...]}``,
    optionally among the rows of one engine and/or the given ids."""
    knowledge_id = KnowledgeSettings.selected_model_id()
    rows: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for model in _candidates(engine_id, ids):
        found = reasons(model)
        if not found:
            continue
        entry = _entry(model, found)
        if model.pk == knowledge_id:
            kept.append({**entry, "kept_because": "knowledge embedding model"})
        else:
            rows.append(entry)
    return {"rows": rows, "kept": kept, "notes": [STORAGE_NOTE, KNOWLEDGE_NOTE]}


def _parse_ids(ids: Any) -> list[int]:
    if isinstance(ids, str):
        ids = [item for item in ids.split(",") if item.strip()]
    if not isinstance(ids, Iterable) or isinstance(ids, Mapping):
        raise RegistryValidationError({"ids": ["ids must be a list of registered model ids"]})
    parsed = REGISTERED_MODELS.by_name["id"].filter.parse("ids", list(ids))  # type: ignore[union-attr]
    return sorted(set(parsed))


@history.grouped
def prune_stale(ids: Any, confirm: bool = False) -> dict[str, Any]:
    """Delete exactly the listed stale rows when ``confirm`` is true (otherwise only report).

    Returns ``{"confirmed", "deleted": [rows], "missing": [ids already gone], "notes"}``.
    Refused as a whole when a listed row is no longer stale or is the knowledge model.
    """
    wanted = _parse_ids(ids)
    confirm = parse_bool("confirm", confirm)
    with history.atomic():
        models = {
            model.pk: model
            for model in RegisteredModel.objects.select_for_update(of=("self",))
            .select_related("engine")
            .filter(pk__in=wanted)
        }
        knowledge_id = KnowledgeSettings.selected_model_id()
        refused: list[str] = []
        entries: list[dict[str, Any]] = []
        for pk in wanted:
            model = models.get(pk)
            if model is None:
                continue
            found = reasons(model)
            if pk == knowledge_id:
                refused.append(f"model {model.name!r} is the knowledge embedding model")
            elif not found:
                refused.append(f"model {model.name!r} (id {pk}) is no longer stale")
            else:
                entries.append(_entry(model, found))
        if refused:
            raise RegistryValidationError(
                {
                    "ids": [
                        f"nothing deleted: {message}; list the stale rows again"
                        for message in refused
                    ]
                }
            )
        if confirm:
            for entry in entries:
                delete_instance(models[entry["id"]])
    return {
        "confirmed": bool(confirm),
        "deleted": entries if confirm else [],
        "would_delete": [] if confirm else entries,
        "missing": [pk for pk in wanted if pk not in models],
        "notes": [STORAGE_NOTE, KNOWLEDGE_NOTE],
    }
