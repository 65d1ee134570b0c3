"""Turning writes into change records, in the transaction of the write.

Single-row writes are caught by ``post_save``/``post_delete`` signals (wherever they come
from); bulk writes, which send no signals, call ``record_bulk`` themselves (the importer).
The "before" of an update is the state the row was loaded with (``StoredState``), so a
write costs one extra ``INSERT`` (plus the feed lock on PostgreSQL, see ``feed_lock``).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from .. import batch_writes, secrets
from ..attribute_reader import attribute_reader
from ..declarations import DECLARATIONS
from ..models import ChangeRecord, KnowledgeSettings
from . import context

KNOWLEDGE = "knowledge"

#: entity name (the SDK's) of every model whose writes are recorded
ENTITIES: dict[type[models.Model], str] = {
    **{declaration.model: name for name, declaration in DECLARATIONS.items()},
    KnowledgeSettings: KNOWLEDGE,
}
MODELS: dict[str, type[models.Model]] = {name: model for model, name in ENTITIES.items()}

STAMPS = ChangeRecord.STAMPS

MASK = secrets.MASK

#: advisory lock key serializing change-record writers on PostgreSQL (see ``feed_lock``)
FEED_LOCK_KEY = 0x6D72_6368  # "mrch"


_suspended: ContextVar[bool] = ContextVar("registry_history_suspended", default=False)


@contextmanager
def suspended() -> Any:
    """Write no change records inside: for import dry runs (rolled back anyway, so they never
    wait for the feed lock) and for ``bench/import_catalog.py``, which compares the cost of
    history. Never around a write that is kept."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# --- snapshots -----------------------------------------------------------------------------


#: value types a snapshot holds as they are (``_plain`` would return them unchanged)
_AS_IS = frozenset({str, int, float, bool, dict, type(None)})


#: value types a snapshot holds as their ISO text, and as their text
_MOMENTS = (datetime.datetime, datetime.date, datetime.time)
_TEXTS = (decimal.Decimal, uuid.UUID)


def _plain(value: Any) -> Any:
    if value.__class__ in _AS_IS or value.__class__ is list:
        return value
    if isinstance(value, str):  # a subclass (a choices member): its text, as JSON writes it
        return str.__str__(value)
    if isinstance(value, _MOMENTS):
        return value.isoformat()
    if isinstance(value, _TEXTS):
        return str(value)
    return value


def mask(entity: str, snapshot: dict[str, Any], names: Iterable[str] = ()) -> dict[str, Any]:
    """Credentials hidden from history, the feed and its exports, by the project's one
    masking function (``inventory.secrets.mask_config``): stored configs are sealed, so every
    secret is an encrypted envelope or sits under a built-in secret name (or ``names``)."""
    if entity == "engine_registry" and "config" in snapshot:
        snapshot["config"] = secrets.mask_config(snapshot["config"], extra_names=names)
    return snapshot


def state(instance: models.Model) -> dict[str, Any]:
    """Every stored field of ``instance`` by attribute name, as JSON values, unmasked."""
    names, read, fields = _snapshot_plan(type(instance))
    values = read(instance)
    result = dict(zip(names, values, strict=True))
    for (field, json), value in zip(fields, values, strict=True):
        if value.__class__ not in _AS_IS:
            if isinstance(value, list | tuple) and not json:
                value = field.get_prep_value(value)
            result[field.attname] = _plain(value)
    return result


@cache
def _snapshot_plan(
    model: type[models.Model],
) -> tuple[tuple[str, ...], Callable[[models.Model], tuple], tuple[tuple[models.Field, bool], ...]]:
    """The attribute names of ``model``'s stored fields, a reader of their values at once,
    and each field with whether it is a JSON field."""
    fields = tuple(
        (field, isinstance(field, models.JSONField)) for field in model._meta.concrete_fields
    )
    names = tuple(field.attname for field, _ in fields)
    return names, attribute_reader(names), fields


def stored_state(instance: models.Model) -> dict[str, Any] | None:
    """The row as it was loaded or last recorded, when known without a query."""
    known = instance.__dict__.get("_history_state")
    if known is not None:
        return known
    loaded = instance.__dict__.get("_stored_values")
    if loaded is None:
        return None
    names, values = loaded
    stored, _, _ = _snapshot_plan(type(instance))
    if len(names) != len(stored):
        return None
    if tuple(names) != stored:  # loaded in another order
        by_name = dict(zip(names, values, strict=True))
        if any(name not in by_name for name in stored):
            return None
        values = [by_name[name] for name in stored]
    result = dict(zip(stored, values, strict=True))
    for name, value in zip(stored, values, strict=True):
        if value.__class__ not in _AS_IS:
            result[name] = _plain(value)
    return result


def diff(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    shown_before: Mapping[str, Any],
    shown_after: Mapping[str, Any],
) -> dict[str, Any]:
    """``{field: {"before", "after"}}`` for each field whose stored value differs (stamps
    left out), showing the masked values: a replaced secret shows as a changed ``config``
    whose secret reads ``MASK`` on both sides."""
    return {
        key: {"before": shown_before.get(key), "after": shown_after[key]}
        for key, value in after.items()
        if key not in STAMPS and before.get(key) != value
    }


# --- writing records -----------------------------------------------------------------------


def _feed_locked() -> None:
    """Marker kept in the transaction's on-commit list while it holds the feed lock."""


def feed_lock(using: str | None = None) -> None:
    """On PostgreSQL, take the transaction-level lock that serializes change writers.

    Sequence values are handed out before commit, so without it a reader of the feed could
    see record 11 committed while record 10 is still in flight, move its cursor past 10 and
    never see it. Holding this lock from the first record (or, in the write paths, from the
    start of the transaction, so that row locks are always taken after it and two writers
    cannot deadlock) until commit makes ids follow commit order. Taken once per transaction;
    SQLite serializes writers by itself.
    """
    using = using or router.db_for_write(ChangeRecord)
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block or _suspended.get():
        return
    if any(item[1] is _feed_locked for item in connection.run_on_commit):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK_KEY])
    transaction.on_commit(_feed_locked, using=using)


@contextmanager
def atomic(using: str | None = None) -> Any:
    """``transaction.atomic()`` that takes the feed lock first: use it to open transactions
    that write several rows or lock rows before writing."""
    with transaction.atomic(using=using):
        feed_lock(using)
        yield


def build(
    instance: models.Model,
    action: str,
    before: Mapping[str, Any] | None,
    after: dict[str, Any],
    operation: context.Operation,
) -> ChangeRecord:
    entity = ENTITIES[type(instance)]
    before_masked = mask(entity, dict(before)) if before is not None else None
    after_masked = mask(entity, dict(after))
    changes = (
        diff(before or {}, after, before_masked or {}, after_masked)
        if action == ChangeRecord.Action.UPDATE
        else {}
    )
    values = {
        "id": None,
        "time": _RECORD_TIME.get_default(),
        "entity": entity,
        "object_id": instance.pk,
        "object_name": str(instance)[:300],
        "action": action,
        "changes": changes,
        "snapshot": after_masked,
        "actor": operation.actor_name()[:200],
        "source": operation.source,
        "operation": operation.id,
        "restored_from": context.restored_from(),
    }
    # Every field given by position: Django's fast path (as for a loaded row), a batch
    # builds thousands of records.
    return ChangeRecord(*[values[name] for name in _RECORD_FIELDS])


#: the stored fields of a change record, in the order ``ChangeRecord(*values)`` takes them
_RECORD_FIELDS = tuple(field.attname for field in ChangeRecord._meta.concrete_fields)
_RECORD_TIME = ChangeRecord._meta.get_field("time")


def write(records: list[ChangeRecord]) -> None:
    """Insert ``records`` inside the current transaction (or a new one), under the feed lock."""
    if not records or _suspended.get():
        return
    using = router.db_for_write(ChangeRecord)
    with transaction.atomic(using=using, savepoint=False):
        feed_lock(using)
        if len(records) == 1:
            records[0].save(using=using, force_insert=True)
        else:
            batch_writes.insert_rows(ChangeRecord, records, using, with_ids=False)


def record_bulk(
    created: Iterable[models.Model] = (),
    updated: Iterable[tuple[models.Model, Mapping[str, Any] | None]] = (),
) -> None:
    """Record rows written with ``bulk_create`` (ids set) and ``bulk_update`` (with their
    state before, ``stored_state`` when ``None``), under one operation."""
    write(bulk_records(created, updated))


def bulk_records(
    created: Iterable[models.Model] = (),
    updated: Iterable[tuple[models.Model, Mapping[str, Any] | None]] = (),
) -> list[ChangeRecord]:
    """The change records of ``record_bulk``, not yet written."""
    operation = context.current()
    records = []
    for instance in created:
        after = state(instance)
        records.append(build(instance, ChangeRecord.Action.CREATE, None, after, operation))
        instance._history_state = after
    for instance, before in updated:
        after = state(instance)
        before = before if before is not None else stored_state(instance)
        records.append(build(instance, ChangeRecord.Action.UPDATE, before, after, operation))
        instance._history_state = after
    return records


def write_statements(records: list[ChangeRecord]) -> list[batch_writes.Statement]:
    """The statements inserting ``records`` on PostgreSQL, for a caller that sends them
    itself inside its transaction (``inventory.write_behind``); the feed lock is taken now.
    No statement when recording is suspended."""
    if not records or _suspended.get():
        return []
    using = router.db_for_write(ChangeRecord)
    feed_lock(using)
    return batch_writes.insert_statements(
        ChangeRecord, records, connections[using], with_ids=False
    )


# --- signals -------------------------------------------------------------------------------


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """An update of a row whose loaded state is unknown reads it once, before it changes."""
    if sender not in ENTITIES or instance._state.adding or instance.pk is None:
        return
    if stored_state(instance) is None:
        stored = sender._default_manager.filter(pk=instance.pk).first()
        instance._history_before = state(stored) if stored is not None else None


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if sender not in ENTITIES:
        return
    after = state(instance)
    if created:
        action, before = ChangeRecord.Action.CREATE, None
    else:
        before = instance.__dict__.pop("_history_before", None) or stored_state(instance)
        action = ChangeRecord.Action.UPDATE
    write([build(instance, action, before, after, context.current())])
    instance._history_state = after


def _before_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Rows whose reference the delete sets to ``NULL`` change too: record them (the database
    does that update without signals)."""
    if sender not in ENTITIES:
        return
    for relation in instance._meta.related_objects:
        if relation.on_delete is not models.SET_NULL or relation.related_model not in ENTITIES:
            continue
        field = relation.field
        rows = list(relation.related_model._default_manager.filter(**{field.name: instance.pk}))
        updated = []
        for row in rows:
            before = state(row)
            setattr(row, field.attname, None)
            updated.append((row, before))
        record_bulk(updated=updated)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if sender not in ENTITIES:
        return
    snapshot = stored_state(instance) or state(instance)
    write([build(instance, ChangeRecord.Action.DELETE, None, snapshot, context.current())])


def _secret_name_marked(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """A config key name newly marked secret: the values stored under it leave history.

    Past records are masked again (history must never hold a credential, even one that was
    not known to be one when it was recorded), and each engine whose shown config changes
    gets an update record, so that a copy kept from the feed drops the value too.
    """
    names = secrets.marked_names()
    engines = MODELS["engine_registry"]._default_manager.all()
    operation = context.current()
    fresh = []
    for engine in engines:
        shown_now = mask("engine_registry", {"config": engine.config})
        if shown_now != mask("engine_registry", {"config": engine.config}, names):
            after = state(engine)
            record = build(engine, ChangeRecord.Action.UPDATE, after, after, operation)
            record.snapshot = mask("engine_registry", dict(after), names)
            fresh.append(record)
    remasked = []
    for record in ChangeRecord.objects.filter(entity="engine_registry").iterator(chunk_size=1000):
        snapshot = mask("engine_registry", dict(record.snapshot), names)
        changes = dict(record.changes)
        if "config" in changes:
            changes["config"] = {
                side: secrets.mask_config(value, extra_names=names)
                for side, value in changes["config"].items()
            }
        if snapshot != record.snapshot or changes != record.changes:
            record.snapshot, record.changes = snapshot, changes
            remasked.append(record)
    ChangeRecord.objects.bulk_update(remasked, ["snapshot", "changes"], batch_size=500)
    write(fresh)


def connect() -> None:
    from ..models import SecretConfigKey

    post_save.connect(_secret_name_marked, sender=SecretConfigKey, dispatch_uid="history-secret")
    for model in ENTITIES:
        uid = f"history-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
