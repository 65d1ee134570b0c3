"""Restore a row to the version a change record holds, or undelete it.

A restore is an ordinary write: it goes through the entity's service (``full_clean()`` and
the database constraints), so a version that breaks a rule today is refused with that rule's
message and changes nothing, and it is recorded like any write, with ``restored_from``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import RegistryValidationError, refuse_unknown_keys
from ..listing import parse_bool
from ..models import ChangeRecord
from ..services import (
    SERVICES,
    WRITE_OPTIONS,
    save_validated,
    update_knowledge_config,
)
from ..services import _apply_options as apply_options
from ..values import parse_id
from . import context
from .recording import KNOWLEDGE, MASK, MODELS, atomic


def _unmasked(version: Any, current: Any) -> Any:
    """History never holds a secret: a masked credential in a stored version keeps the
    row's current secret (the mask is what every door sends to keep one, see
    ``inventory.secrets``), and is left out where the row has none today."""
    if isinstance(version, Mapping):
        current = current if isinstance(current, Mapping) else {}
        return {
            key: _unmasked(value, current.get(key))
            for key, value in version.items()
            if value != MASK or current.get(key) not in (None, "")
        }
    return version


def version_payload(record: ChangeRecord, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The writable fields of the version ``record`` holds (all, or those in ``fields``)."""
    if record.entity == KNOWLEDGE:
        writable = {"enabled": "enabled", "embedding_model_id": "embedding_model_id"}
    else:
        declaration = SERVICES[record.entity].declaration
        writable = {item.name: item.source for item in declaration.writable_fields}
    payload = {
        name: record.snapshot[source]
        for name, source in writable.items()
        if source in record.snapshot
    }
    if fields is None:
        return payload
    if isinstance(fields, str):
        fields = [item.strip() for item in fields.split(",") if item.strip()]
    if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
        raise RegistryValidationError({"fields": ["fields must be a list of field names"]})
    wanted = list(fields)
    unknown = [name for name in wanted if name not in payload]
    if unknown:
        raise RegistryValidationError(
            {
                "fields": [
                    f"cannot restore {', '.join(map(repr, unknown))}; "
                    f"restorable fields: {', '.join(payload)}"
                ]
            }
        )
    return {name: payload[name] for name in wanted}


def load(change_id: Any) -> ChangeRecord:
    pk = parse_id("change_id", change_id)
    record = ChangeRecord.objects.filter(pk=pk).first()
    if record is None:
        raise RegistryValidationError({"change_id": [f"change {pk} does not exist"]})
    return record


@context.grouped
def restore(change_id: Any, fields: Iterable[str] | None = None, **options: Any) -> dict[str, Any]:
    """Write back the version of change ``change_id`` (after that change; for a delete, the
    row as it was deleted). A deleted row is created again with its old id. ``options`` are
    the write confirmations (``confirm_embedding_model_change``, ``allow_over_capacity``),
    as for any write.

    Returns ``{"entity", "id", "action": "restored" | "undeleted", "row"}``.
    """
    record = load(change_id)
    payload = version_payload(record, fields)
    refuse_unknown_keys(options, WRITE_OPTIONS, "option", known_label="options")
    options = {key: parse_bool(key, value) for key, value in options.items()}
    with atomic(), context.restoring(record.pk):
        if record.entity == KNOWLEDGE:
            confirm = options.get("confirm_embedding_model_change", False)
            row = update_knowledge_config(payload, confirm)
            return {"entity": KNOWLEDGE, "id": record.object_id, "action": "restored", "row": row}
        service = SERVICES[record.entity]
        model = MODELS[record.entity]
        current = model._default_manager.select_for_update().filter(pk=record.object_id).first()
        if "config" in payload:
            payload["config"] = _unmasked(payload["config"], getattr(current, "config", None))
        if current is not None:
            instance = service.update_instance(current.pk, payload, **options)
            action = "restored"
        else:
            instance = model(pk=record.object_id)
            service.assign(instance, payload)
            apply_options(instance, options)
            save_validated(instance)
            action = "undeleted"
    return {
        "entity": record.entity,
        "id": instance.pk,
        "action": action,
        "row": service.declaration.row_for(instance),
    }
