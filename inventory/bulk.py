"""Bulk operations: change, move, deactivate or delete a selection of rows in one transaction.

A selection is a list of ids, a filter (the list filters), or both (rows matching both); a
call with neither is refused, never read as "all rows". Every row runs its model's own
validation (``full_clean()`` and ``clean()``), so every rule applies as in a single write; the
data the rules look up (knowledge settings, engines and what their active models need) is
read once for the whole batch, and rows that end with the same values are written by one
UPDATE, so the number of queries does not grow with the number of rows.

All or nothing: when any row is refused, nothing is written and the error carries the per-row
report (``error.report``), each refused row with its errors by field. ``dry_run`` returns the
same report without writing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from . import capacity, history
from .declarations import DECLARATIONS
from .errors import NON_FIELD, RegistryValidationError
from .history import recording
from .impact import dependents
from .listing import ListDeclaration, ListRequest, parse_bool
from .models import ChangeRecord, Engine, KnowledgeSettings, RegisteredModel, batch
from .models.fields import CapabilitiesField, CsvListField
from .models.names import NameField
from .services import WRITE_OPTIONS, translate
from .values import parse_id

ACTIONS = ("update", "deactivate", "delete")
#: The status a deactivated row takes, for the entities that have an active status.
INACTIVE_STATUS = {
    "engine_registry": Engine.Status.INSTALLED,
    "model_registry": RegisteredModel.Status.AVAILABLE,
}
NO_SELECTION = (
    "select rows with ids or a filter; a bulk operation never applies to every row by default"
)


class BulkRefusedError(RegistryValidationError):
    """Some rows were refused; nothing was written. ``report`` lists every row."""

    def __init__(self, errors: Mapping[str, list[str]], report: dict[str, Any]):
        super().__init__(errors)
        self.report = report


# --- selection -----------------------------------------------------------------------------


def parse_ids(value: Any) -> list[int] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [item for item in value.split(",") if item.strip()]
    if not isinstance(value, list | tuple | set | frozenset):
        raise RegistryValidationError({"ids": ["ids must be a list of row ids"]})
    return sorted({parse_id("ids", item) for item in value})


def select(
    declaration: ListDeclaration, ids: Any = None, filters: Any = None
) -> tuple[models.QuerySet, list[int] | None, dict[str, Any]]:
    """The selected rows (ordered by id), the parsed ids and the normalized filters."""
    id_list = parse_ids(ids)
    normalized = declaration.normalize_filters(filters)
    if not id_list and not normalized:
        raise RegistryValidationError({"selection": [NO_SELECTION]})
    queryset = ListRequest(declaration, normalized, {"field": "id", "direction": "asc"}).ordered()
    if id_list:
        queryset = queryset.filter(pk__in=id_list)
    return queryset, id_list, normalized


# --- changes -------------------------------------------------------------------------------


def _list_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, CapabilitiesField | CsvListField) else None


def parse_changes(declaration: ListDeclaration, changes: Any) -> dict[str, Any]:
    """``{"set": {attr: value}, "add": {attr: [tokens]}, "remove": {attr: [tokens]}}`` from
    payload keys (``status``, ``engine_id``…) and ``add_<list>`` / ``remove_<list>`` for the
    list fields (``add_capabilities``, ``remove_tags``…)."""
    if not isinstance(changes, Mapping) or not changes:
        raise RegistryValidationError(
            {"changes": ["changes must be a non-empty object of fields to set"]}
        )
    writable = {item.name: item for item in declaration.writable_fields}
    parsed: dict[str, dict[str, Any]] = {"set": {}, "add": {}, "remove": {}}
    errors: dict[str, list[str]] = {}
    for key, value in changes.items():
        operation, _, name = (
            key.partition("_")
            if key.startswith(("add_", "remove_"))
            else (
                "set",
                "",
                key,
            )
        )
        item = writable.get(name)
        if item is None:
            errors[key] = [
                f"unknown field {key!r}; bulk changes set writable fields or add/remove "
                "list items (add_capabilities, remove_tags…)"
            ]
            continue
        field = declaration.model._meta.get_field(item.source)  # type: ignore[arg-type]
        if operation == "set":
            if field.unique or isinstance(field, NameField):  # names: unique in any case
                errors[key] = [f"{name} is unique per row and cannot be set in bulk"]
            elif isinstance(field, models.ForeignKey) and field.name != "engine":
                errors[key] = [f"{name} is set row by row"]
            elif isinstance(field, models.JSONField):
                errors[key] = [f"{name} is a JSON object; change it row by row"]
            else:
                parsed["set"][field.attname] = value
            continue
        if _list_field(declaration.model, field.name) is None:
            errors[key] = [f"{name} is not a list; set it instead"]
            continue
        try:
            tokens = field.to_python(value)
        except ValidationError as error:
            errors[key] = list(error.messages)
            continue
        parsed[operation][field.attname] = [token for token in tokens.split(",") if token]
    if errors:
        raise RegistryValidationError(errors)
    return parsed


def _apply(instance: models.Model, parsed: Mapping[str, Any]) -> None:
    for attr, value in parsed["set"].items():
        setattr(instance, attr, value)
    for attr in {*parsed["add"], *parsed["remove"]}:
        current = [token for token in str(getattr(instance, attr) or "").split(",") if token]
        added = [token for token in parsed["add"].get(attr, []) if token not in current]
        removed = set(parsed["remove"].get(attr, []))
        setattr(instance, attr, [token for token in current + added if token not in removed])


# --- the operation -------------------------------------------------------------------------


def _stored(instance: models.Model, attrs: list[str]) -> dict[str, Any]:
    return {attr: getattr(instance, attr) for attr in attrs}


def _entry(instance: models.Model, result: str, **extra: Any) -> dict[str, Any]:
    return {"id": instance.pk, "name": str(instance), "result": result, **extra}


def _report(
    name: str, action: str, dry_run: bool, ids: Any, filters: Any, items: list[dict[str, Any]]
) -> dict[str, Any]:
    counts = {key: 0 for key in ("changed", "unchanged", "deleted", "refused")}
    for item in items:
        counts[item["result"]] += 1
    return {
        "entity": name,
        "action": action,
        "dry_run": dry_run,
        "applied": not dry_run and not counts["refused"],
        "ids": ids,
        "filters": filters,
        "matched": len(items),
        **counts,
        "items": items,
    }


def _errors_by_item(items: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in items:
        for field, messages in item.get("errors", {}).items():
            key = str(item["id"]) if field == NON_FIELD else f"{item['id']}.{field}"
            errors[key] = [f"{item['name']}: {message}" for message in messages]
    return errors


def bulk(
    name: str,
    action: str = "update",
    ids: Any = None,
    filters: Any = None,
    changes: Any = None,
    dry_run: Any = False,
    **options: Any,
) -> dict[str, Any]:
    """Run one bulk operation on entity ``name``; returns the per-row report."""
    declaration = DECLARATIONS[name]
    if action not in ACTIONS:
        raise RegistryValidationError(
            {"action": [f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}"]}
        )
    dry = parse_bool("dry_run", dry_run)
    unknown = set(options) - set(WRITE_OPTIONS)
    if unknown:
        raise RegistryValidationError(
            {key: [f"unknown option {key!r}; known: {', '.join(WRITE_OPTIONS)}"] for key in unknown}
        )
    flags = {key: parse_bool(key, value) for key, value in options.items()}
    if action == "deactivate":
        if name not in INACTIVE_STATUS:
            raise RegistryValidationError(
                {"action": [f"{name} rows have no active status to deactivate"]}
            )
        if changes:
            raise RegistryValidationError({"changes": ["deactivate takes no changes"]})
    queryset, id_list, normalized = select(declaration, ids, filters)
    with history.operation(), history.atomic():
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update(of=("self",))
        if action == "delete":
            items = _delete(name, queryset, dry)
        else:
            if action == "deactivate":
                parsed = {"set": {"status": INACTIVE_STATUS[name]}, "add": {}, "remove": {}}
            else:
                parsed = parse_changes(declaration, changes)
            items = _update(name, queryset, parsed, flags, dry, action == "deactivate")
        report = _report(name, action, dry, id_list, normalized, items)
        if report["refused"] and not dry:
            raise BulkRefusedError(_errors_by_item(items), report)
        if dry:
            transaction.set_rollback(True)
    return report


def _preload(name: str, rows: list[models.Model], parsed: Mapping[str, Any]) -> batch.Batch:
    """Everything the rows' validation reads, in a constant number of queries."""
    loaded = batch.Batch(
        knowledge=KnowledgeSettings.objects.filter(pk=KnowledgeSettings.SINGLETON_ID).first()
    )
    if name != "model_registry":
        return loaded
    engines = {row.engine_id: row.engine for row in rows}  # type: ignore[attr-defined]
    target = parsed["set"].get("engine_id")
    if target is not None:
        try:
            target_id = parse_id("engine_id", target)
        except RegistryValidationError:
            target_id = None
        engine = Engine.objects.filter(pk=target_id).first() if target_id else None
        if engine is None:
            raise RegistryValidationError({"engine_id": ["engine_id does not exist"]})
        engines[engine.pk] = engine
        parsed["set"]["engine_id"] = engine.pk
    loaded.engines = engines
    loaded.committed = capacity.committed(list(engines))
    return loaded


def _commitment(row: models.Model) -> tuple[int | None, list[int]]:
    if not isinstance(row, RegisteredModel) or row.status != RegisteredModel.Status.ACTIVE:
        return None, [0, 0]
    return row.engine_id, [row.vram_required_mb, row.ram_required_mb]


def _shift(loaded: batch.Batch, commitment: tuple[int | None, list[int]], sign: int) -> None:
    engine_id, needs = commitment
    if engine_id is not None and engine_id in loaded.committed:
        totals = loaded.committed[engine_id]
        totals[0] += sign * needs[0]
        totals[1] += sign * needs[1]


def _update(
    name: str,
    queryset: models.QuerySet,
    parsed: dict[str, Any],
    flags: Mapping[str, bool],
    dry_run: bool,
    only_active: bool,
) -> list[dict[str, Any]]:
    model = queryset.model
    if model is RegisteredModel:
        queryset = queryset.select_related("engine")
    rows = list(queryset)
    attrs = sorted({*parsed["set"], *parsed["add"], *parsed["remove"]})
    references = [f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    items: list[dict[str, Any]] = []
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    written: list[models.Model] = []
    loaded = _preload(name, rows, parsed)
    with batch.preloaded(loaded):
        for row in rows:
            if only_active and row.status != "active":  # type: ignore[attr-defined]
                items.append(_entry(row, "unchanged"))
                continue
            before = _stored(row, attrs)
            was = _commitment(row)
            _shift(loaded, was, -1)
            _apply(row, parsed)
            if model is RegisteredModel and "engine_id" in parsed["set"]:
                row.engine = loaded.engines[parsed["set"]["engine_id"]]  # type: ignore[attr-defined]
            for key, value in flags.items():
                if hasattr(row, key):
                    setattr(row, key, value)
            try:
                row.full_clean(
                    exclude=references, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                _shift(loaded, was, 1)
                items.append(_entry(row, "refused", errors=translate(error, model).errors))
                continue
            _shift(loaded, _commitment(row), 1)
            after = _stored(row, attrs)
            changed = {
                attr: [before[attr], after[attr]] for attr in attrs if before[attr] != after[attr]
            }
            if not changed:
                items.append(_entry(row, "unchanged"))
                continue
            items.append(_entry(row, "changed", changes=changed))
            written.append(row)
            key = json.dumps(after, sort_keys=True, default=str)
            groups.setdefault(key, (after, []))[1].append(row.pk)
    refused = any(item["result"] == "refused" for item in items)
    if not dry_run and not refused:
        now = timezone.now()
        try:
            for values, pks in groups.values():
                model._default_manager.filter(pk__in=pks).update(**values, updated_at=now)
        except IntegrityError as error:
            raise RegistryValidationError(
                "the change conflicts with a concurrent write; please retry"
            ) from error
        for row in written:
            row.updated_at = now  # type: ignore[attr-defined]
        history.record_bulk(updated=[(row, None) for row in written])
    return items


def _delete(name: str, queryset: models.QuerySet, dry_run: bool) -> list[dict[str, Any]]:
    rows = list(queryset)
    pks = [row.pk for row in rows]
    items: list[dict[str, Any]] = []
    counts = dependents(name, pks)
    for row in rows:
        refusal = None
        if name == "engine_registry" and counts.get(row.pk):
            refusal = row.delete_refusal(None, counts[row.pk])  # type: ignore[attr-defined]
        elif name == "model_registry" and counts.get(row.pk):
            refusal = row.delete_refusal(None)  # type: ignore[attr-defined]
        if refusal:
            items.append(_entry(row, "refused", errors={NON_FIELD: [refusal]}))
        elif name == "available_model_registry" and counts.get(row.pk):
            items.append(_entry(row, "deleted", unlinked=counts[row.pk]))
        else:
            items.append(_entry(row, "deleted"))
    if dry_run or any(item["result"] == "refused" for item in items):
        return items
    try:
        if name == "available_model_registry":
            _unlink(pks)
        queryset.model._default_manager.filter(pk__in=pks)._raw_delete(connection.alias)
    except IntegrityError as error:
        raise RegistryValidationError(
            "the change conflicts with a concurrent write; please retry"
        ) from error
    _record_deletes(rows)
    return items


def _unlink(catalog_pks: list[int]) -> None:
    """Clear the catalog link of the registered rows of deleted catalog rows, recorded."""
    linked = list(RegisteredModel.objects.filter(available_model_id__in=catalog_pks))
    now = timezone.now()
    RegisteredModel.objects.filter(pk__in=[row.pk for row in linked]).update(
        available_model=None, updated_at=now
    )
    for row in linked:
        row.available_model_id = None
        row.updated_at = now
    history.record_bulk(updated=[(row, None) for row in linked])


def _record_deletes(rows: list[models.Model]) -> None:
    operation = history.current()
    recording.write(
        [
            recording.build(
                row,
                ChangeRecord.Action.DELETE,
                None,
                recording.stored_state(row) or recording.state(row),
                operation,
            )
            for row in rows
        ]
    )


__all__ = ["ACTIONS", "BulkRefusedError", "bulk", "parse_changes", "select"]
