"""The import: rows matched by name, validated, written in chunks in one transaction (rolled
back for a dry run, or when any row is refused unless the mode is ``partial``), with a report
of every row's outcome."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction

from ... import (
    batch_writes,
    capacity,
    history,
    vocabulary_service,
    write_behind,
)
from ... import capabilities as caps
from ...attribute_reader import attribute_reader
from ...errors import RegistryValidationError, refuse_unknown_keys
from ...listing import parse_bool
from ...models import RegisteredModel, shared_checks
from ...models.fields import text_error
from ...services import knowledge_config, save_validated, translate, update_knowledge_config
from .csv_catalog import InvalidCell
from .document import (
    ACTIONS,
    IGNORED_KEYS,
    KNOWLEDGE,
    SECTION_KEYS,
    SECTIONS,
    VOCABULARY,
    Reference,
    Section,
    parse_mode,
)
from .named_rows import ids_by_name, stored_rows
from .new_rows import new_instance
from .parsing import parse
from .report import refusal_groups

CHUNK_SIZE = 1000
#: longest value (its text) the report shows whole in a row's changes
SHOWN_CHARS = 200
#: distinct row changes remembered to share equal ones (see ``Importer.shared``)
SHARED_CHANGES = 1000
EXTENDED = "extended_capabilities"


class InventoryImportError(RegistryValidationError):
    """An import refused as a whole; ``report`` holds the per-row outcome and errors."""

    def __init__(self, report: dict[str, Any]):
        self.report = report
        super().__init__(
            {
                f"{item['section']}[{item['row']}].{item['field']}": [error_text(item)]
                for item in report["errors"]
            }
            or {"file": ["the import was refused"]}
        )


def error_text(item: Mapping[str, Any]) -> str:
    name = f" ({item['name']!r})" if item.get("name") else ""
    return f"{item['section']} row {item['row']}{name}, {item['field']}: {item['message']}"


#: the changes of a new row: none (one shared, read-only mapping)
NO_CHANGES: Mapping[str, tuple[Any, Any]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Pending:
    """A validated row waiting for its chunk's batched write."""

    index: int
    name: Any
    instance: models.Model
    changed: tuple[str, ...] = ()
    #: attribute → (stored value, new value), for an existing row
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=lambda: NO_CHANGES)


@dataclass(frozen=True)
class Chunk:
    """Rows read together, with what they look up (see ``Importer.chunks``)."""

    start: int  # rows before it in the section
    rows: list[Any]
    names: list[Any]
    existing: dict[str, models.Model]
    resolved: dict[str, dict[str, int]]


@dataclass
class Importer:
    confirm_embedding_model_change: bool = False
    progress: Callable[[int], None] | None = None
    allow_over_capacity: bool = False
    move_unknown_capabilities: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    refused: dict[str, dict[Any, int]] = field(default_factory=dict)
    moved: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    seen_changes: dict[tuple, dict[str, Any]] = field(default_factory=dict)

    def run(self, document: Mapping[str, Any]) -> None:
        before = capacity.committed_by_engine()
        if VOCABULARY in document:
            self.vocabulary(document[VOCABULARY])
        for section in SECTIONS:
            if section.key in document:
                self.section(section, document[section.key])
        if KNOWLEDGE in document:
            self.knowledge(document[KNOWLEDGE])
        if not self.allow_over_capacity:
            # Checked once the rows are written (rows of one chunk are validated before any
            # of them is stored), for the engines this import took beyond their capacity.
            for engine, messages in capacity.newly_overcommitted(before):
                for message in messages:
                    self.errors.append(
                        {
                            "section": "engines",
                            "row": None,
                            "name": engine.name,
                            "field": "engine_id",
                            "message": message,
                        }
                    )

    # outcome bookkeeping

    def record(
        self, section: str, row: int, name: Any, action: str, changes: Mapping | None = None
    ) -> None:
        counts = self.counts.get(section)
        if counts is None:
            counts = self.counts[section] = dict.fromkeys(ACTIONS, 0)
        counts[action] += 1
        entry = {"section": section, "row": row, "name": name, "action": action}
        if changes:
            entry["changes"] = changes
        moved = self.moved.pop((section, row), None) if self.moved else None
        if moved:
            entry["moved_capabilities"] = moved
        self.rows.append(entry)

    def refuse(
        self, section: str, row: int, name: Any, error: RegistryValidationError, rename: Callable
    ) -> None:
        self.record(section, row, name, "refused")
        if isinstance(name, str) and name:
            self.refused.setdefault(section, {}).setdefault(name, row)
        for key, messages in error.errors.items():
            for message in messages:
                self.errors.append(
                    {
                        "section": section,
                        "row": row,
                        "name": name,
                        "field": rename(key),
                        "message": message,
                    }
                )

    # sections

    def vocabulary(self, raw: Any) -> None:
        """The added terms, then the aliases, so that the rows after them may use them."""
        if not isinstance(raw, Mapping):
            error = RegistryValidationError({VOCABULARY: ["vocabulary must be a JSON object"]})
            self.refuse(VOCABULARY, 1, None, error, str)
            return
        entries = [("terms", vocabulary_service.ensure_term, "name")]
        entries.append(("aliases", vocabulary_service.ensure_alias, "alias"))
        row = 0
        for key, ensure, name_key in entries:
            for entry in raw.get(key) or []:
                row += 1
                name = entry.get(name_key) if isinstance(entry, Mapping) else None
                try:
                    with transaction.atomic():
                        added = ensure(entry)
                except RegistryValidationError as error:
                    self.refuse(VOCABULARY, row, name, error, str)
                    continue
                self.record(VOCABULARY, row, name, "created" if added else "unchanged")

    def section(self, section: Section, rows: Iterable[Any]) -> None:
        """Import one section's rows, read ``CHUNK_SIZE`` at a time from any iterable (a list,
        or a stream parsed from a file). On PostgreSQL a chunk is written while the next one
        is validated (``inventory.write_behind``), in the same transaction. The next chunk's
        lookups run before this chunk's write: they cannot depend on it, as a name repeated
        in the file (case aside) is refused before it is looked up."""
        seen: dict[str, str] = {}  # lower-case name -> the name as first given
        chunks = self.chunks(section, rows)
        current = next(chunks, None)
        with write_behind.WriteBehind.opened(router.db_for_write(section.model)) as writer:
            while current is not None:
                created, updated = self.validate(section, current, seen)
                following = next(chunks, None)
                self.write_chunk(section, created, updated, writer)
                if self.progress:
                    self.progress(len(current.rows))
                current = following

    def chunks(self, section: Section, rows: Iterable[Any]) -> Iterator[Chunk]:
        """The rows ``CHUNK_SIZE`` at a time, each chunk with its lookups: the stored rows it
        names and the ids of the rows it refers to."""
        name_field = section.model._meta.get_field("name")
        iterator = iter(rows)
        start = 0
        while rows := list(islice(iterator, CHUNK_SIZE)):
            names = [_name(name_field, raw) for raw in rows]
            existing = {
                obj.name: obj for obj in stored_rows(section.model, _lookup_names(names))
            }
            yield Chunk(start, rows, names, existing, self.resolve(section, rows))
            start += len(rows)

    def validate(
        self, section: Section, chunk: Chunk, seen: dict[str, str]
    ) -> tuple[list[Pending], list[Pending]]:
        """Validate a chunk's rows; the new and the changed ones, to write (the others are
        recorded as unchanged or refused)."""
        created: list[Pending] = []
        updated: list[Pending] = []
        with shared_checks.shared():  # a value repeated in the chunk is checked once
            for offset, (raw, name) in enumerate(zip(chunk.rows, chunk.names, strict=True)):
                index = chunk.start + offset + 1
                try:
                    if isinstance(name, str) and name:
                        lower = name.lower()
                        if lower in seen:
                            first = seen[lower]
                            raise RegistryValidationError(
                                {"name": [f'{section.model.name_in_use} (by "{first}")']}
                            )
                        seen[lower] = name
                    prepared = self.prepare(
                        section, raw, chunk.resolved, chunk.existing.get(name), index
                    )
                except RegistryValidationError as error:
                    self.refuse(section.key, index, name, error, section.field_key)
                    continue
                if prepared is None:
                    self.record(section.key, index, name, "unchanged")
                    continue
                instance, changes = prepared
                if instance.pk is None:
                    created.append(Pending(index, name, instance))
                else:
                    updated.append(Pending(index, name, instance, tuple(changes), changes))
        return created, updated

    def write_chunk(
        self,
        section: Section,
        created: list[Pending],
        updated: list[Pending],
        writer: write_behind.WriteBehind | None,
    ) -> None:
        """Write a chunk's changed rows, then its new rows, each with its change records:
        serially, or by ``writer`` (the same statements; if they fail, serially again, where
        a conflict is named row by row)."""
        if writer is None:
            self.update(section, updated)
            self.create(section, created)
            return
        model, connection = section.model, writer.connection
        shown, groups = self.stamped(section, updated)
        statements = []
        for names, instances in groups.items():
            statements += batch_writes.update_statements(
                model, instances, names, connection, cleaned=True
            )
        updates = [(item.instance, None) for item in updated]
        statements += history.write_statements(history.bulk_records(updated=updates))
        instances = [item.instance for item in created]
        if instances:
            statements += batch_writes.insert_statements(model, instances, connection, cleaned=True)
            statements += history.write_statements(history.bulk_records(created=instances))

        def done() -> None:
            batch_writes.stored(instances, writer.using)
            self.recorded(section, updated, "updated", shown)
            self.recorded(section, created, "created")

        def failed() -> None:
            for item in updated:  # the records not written: their "before" is the loaded row
                item.instance.__dict__.pop("_history_state", None)
            self.update(section, updated)
            self.create(section, created)

        writer.start(statements, done, failed)

    def resolve(self, section: Section, chunk: list[Any]) -> dict[str, dict[str, int]]:
        """Name → id of the rows this chunk refers to, one query per reference."""
        resolved: dict[str, dict[str, int]] = {}
        for ref in section.references:
            wanted = _lookup_names(raw.get(ref.key) for raw in chunk if isinstance(raw, dict))
            resolved[ref.key] = ids_by_name(ref.model, wanted)
        return resolved

    def prepare(
        self,
        section: Section,
        raw: Any,
        resolved: Mapping[str, Mapping[str, int]],
        instance: models.Model | None,
        index: int = 0,
    ) -> tuple[models.Model, dict[str, tuple[Any, Any]]] | None:
        """The validated instance to write and, for an existing row, its changes (attribute
        → stored value, new value); ``None`` when the stored row already matches."""
        if not isinstance(raw, dict):
            raise RegistryValidationError({"row": ["each row must be an object"]})
        if IGNORED_KEYS.isdisjoint(raw):
            payload = dict(raw)
        else:
            payload = {key: value for key, value in raw.items() if key not in IGNORED_KEYS}
        if InvalidCell in map(type, payload.values()):  # a CSV cell that could not be read
            bad = {k: [v.message] for k, v in payload.items() if isinstance(v, InvalidCell)}
            raise RegistryValidationError(bad)
        if self.move_unknown_capabilities:
            self.move_unknown(section, payload, instance, index)
        looked_up: list[str] = []
        for ref in section.references:
            if ref.key not in payload:
                continue
            value = payload.pop(ref.key)
            if value in (None, ""):
                payload[ref.payload_key] = None
            elif isinstance(value, str) and value in self.refused.get(ref.section, {}):
                raise RegistryValidationError({ref.payload_key: [self.refused_message(ref, value)]})
            elif isinstance(value, str) and value in resolved[ref.key]:
                payload[ref.payload_key] = resolved[ref.key][value]
                looked_up.append(ref.key)
            else:
                noun = ref.model._meta.verbose_name
                message = (
                    f"{noun} {value!r} does not exist"
                    if isinstance(value, str | int) and not isinstance(value, bool)
                    else f"{ref.key} must be a name (a string), got {value!r}"
                )
                raise RegistryValidationError({ref.payload_key: [message]})
        before = _stored(instance) if instance is not None else None
        instance = instance if instance is not None else new_instance(section.model)
        section.service.assign(instance, payload)
        confirms, capacity_checked = _write_options(section.model)
        if confirms:
            instance.confirm_embedding_model_change = self.confirm_embedding_model_change
        if capacity_checked:
            instance.allow_over_capacity = True  # checked per engine at the end (see run)
        try:
            changes = _validated(instance, before, looked_up)
        except ValidationError as error:
            raise translate(error, section.model) from error
        if changes is None:
            return None
        return instance, changes

    def refused_message(self, ref: Reference, value: str) -> str:
        """Why a row naming a row refused earlier in this file is refused too."""
        row = self.refused[ref.section][value]
        noun = ref.model._meta.verbose_name
        return f"{noun} {value!r} was refused in this import ({ref.section} row {row})"

    def move_unknown(
        self, section: Section, payload: dict[str, Any], instance: models.Model | None, index: int
    ) -> None:
        """Move capability tokens outside the vocabulary into ``extended_capabilities`` (on
        entities that have it), instead of refusing the row; remembered for the report."""
        if "capabilities" not in payload or not _has_field(section.model, EXTENDED):
            return
        try:
            caps.normalize_list(payload["capabilities"])
            return
        except TypeError:
            return
        except caps.UnknownCapabilityError as error:
            unknown = set(error.unknown)
        tokens = caps.split_tokens(payload["capabilities"])
        payload["capabilities"] = [token for token in tokens if token.strip() not in unknown]
        moved: list[str] = []
        for token in tokens:
            if token.strip() in unknown and caps.canonical_token(token) not in moved:
                moved.append(caps.canonical_token(token))
        current = payload.get(EXTENDED, getattr(instance, EXTENDED, "") if instance else "")
        try:
            kept = caps.split_tokens(current)
        except TypeError:
            return  # the field refuses this value with its own message
        payload[EXTENDED] = [*kept, *moved]
        self.moved[(section.key, index)] = moved

    def write(
        self, section: Section, item: Pending, action: str, changes: Mapping | None = None
    ) -> None:
        """Save one row through the full validation (the fallback when a batch conflicts)."""
        try:
            save_validated(item.instance)
        except RegistryValidationError as error:
            self.refuse(section.key, item.index, item.name, error, section.field_key)
            return
        self.record(section.key, item.index, item.name, action, changes)

    def create(self, section: Section, pending: list[Pending]) -> None:
        """Insert the chunk's new rows at once; on a conflict, row by row to name it."""
        if not pending:
            return
        try:
            with transaction.atomic():
                batch_writes.insert_rows(
                    section.model, [item.instance for item in pending], cleaned=True
                )
                history.record_bulk(created=[item.instance for item in pending])
        except IntegrityError:
            for item in pending:
                item.instance.pk = None
                item.instance._state.adding = True
                self.write(section, item, "created")
            return
        self.recorded(section, pending, "created")

    def recorded(
        self,
        section: Section,
        pending: list[Pending],
        action: str,
        shown: list[dict[str, Any]] | None = None,
    ) -> None:
        """Record written rows (``shown``: each row's changes for the report)."""
        for item, changes in zip(pending, shown or [None] * len(pending), strict=True):
            self.record(section.key, item.index, item.name, action, changes)

    def update(self, section: Section, pending: list[Pending]) -> None:
        """Write the chunk's changed rows, one statement per set of changed fields (see
        ``batch_writes``); on a conflict, row by row to name it."""
        if not pending:
            return
        shown, groups = self.stamped(section, pending)
        try:
            with transaction.atomic():
                for names, instances in groups.items():
                    batch_writes.update_rows(section.model, instances, names, cleaned=True)
                history.record_bulk(updated=[(item.instance, None) for item in pending])
        except IntegrityError:
            for item, changes in zip(pending, shown, strict=True):
                self.write(section, item, "updated", changes)
            return
        self.recorded(section, pending, "updated", shown)

    def stamped(
        self, section: Section, pending: list[Pending]
    ) -> tuple[list[dict[str, Any]], dict[tuple[str, ...], list[models.Model]]]:
        """Stamp the changed rows' ``auto_now`` fields as ``save()`` would; each row's changes
        for the report (``shown_changes``) and the rows by the fields to write."""
        meta = section.model._meta
        stamped = [item for item in meta.concrete_fields if getattr(item, "auto_now", False)]
        shown = self.shown_changes(section, pending) if pending else []
        groups: dict[tuple[str, ...], list[models.Model]] = {}
        for item in pending:
            for stamp in stamped:
                stamp.pre_save(item.instance, add=False)
            names = {meta.get_field(key).name for key in item.changed}
            names.update(stamp.name for stamp in stamped)
            groups.setdefault(tuple(sorted(names)), []).append(item.instance)
        return shown, groups

    def shown_changes(self, section: Section, pending: list[Pending]) -> list[dict[str, Any]]:
        """Each row's changes for the report: ``{key: {"before", "after"}}`` by row key, a
        reference by the names of the rows (one query per reference), credentials masked as
        in the change history, long values cut (``shown``)."""
        names: dict[str, dict[Any, str]] = {}
        for ref in section.references:
            ids = {
                value
                for item in pending
                for value in item.changes.get(ref.payload_key, ())
                if value is not None
            }
            if ids:
                found = ref.model._default_manager.filter(pk__in=ids).values_list("pk", "name")
                names[ref.payload_key] = dict(found)
        entity = section.sdk_name
        result = []
        for item in pending:
            sides = [
                history.mask(
                    entity,
                    {
                        key: names[key].get(pair[side]) if key in names else pair[side]
                        for key, pair in item.changes.items()
                    },
                )
                for side in (0, 1)
            ]
            changes = [
                (section.field_key(key), shown(sides[0][key]), shown(sides[1][key]))
                for key in item.changes
            ]
            result.append(self.shared(changes))
        return result

    def shared(self, changes: list[tuple[str, Any, Any]]) -> dict[str, Any]:
        """The report's ``changes`` of a row, one object for rows with equal changes (an
        import that sets one field to the same value on 100,000 rows holds it once)."""
        build = {key: {"before": before, "after": after} for key, before, after in changes}
        try:
            if len(self.seen_changes) >= SHARED_CHANGES:
                self.seen_changes.clear()
            return self.seen_changes.setdefault(tuple(changes), build)
        except TypeError:  # a list or object value: not shared
            return build

    def knowledge(self, raw: Any) -> None:
        def rename(key: str) -> str:
            return "embedding_model" if key == "embedding_model_id" else key

        try:
            refuse_unknown_keys(raw, ("enabled", "embedding_model"), "key", "knowledge keys")
            payload: dict[str, Any] = {}
            if "enabled" in raw:
                payload["enabled"] = raw["enabled"]
            if "embedding_model" in raw:
                name = raw["embedding_model"]
                model_id = None
                if isinstance(name, str) and name in self.refused.get("registered_models", {}):
                    row = self.refused["registered_models"][name]
                    raise RegistryValidationError(
                        {
                            "embedding_model": [
                                f"registered model {name!r} was refused in this import "
                                f"(registered_models row {row})"
                            ]
                        }
                    )
                if name not in (None, ""):
                    model_id = (
                        RegisteredModel.objects.filter(name=name)
                        .values_list("pk", flat=True)
                        .first()
                    )
                    if model_id is None:
                        raise RegistryValidationError(
                            {"embedding_model": [f"registered model {name!r} does not exist"]}
                        )
                payload["embedding_model_id"] = model_id
            current = knowledge_config()
            if all(current[key] == value for key, value in payload.items()):
                self.record(KNOWLEDGE, 1, None, "unchanged")
                return
            update_knowledge_config(payload, self.confirm_embedding_model_change)
        except RegistryValidationError as error:
            self.refuse(KNOWLEDGE, 1, None, error, rename)
            return
        self.record(KNOWLEDGE, 1, None, "updated")

    def report(self, applied: bool, mode: str = "all") -> dict[str, Any]:
        """Rows and errors in file order (new rows are inserted at the end of their chunk)."""
        order = {key: index for index, key in enumerate((VOCABULARY, *SECTION_KEYS, KNOWLEDGE))}

        def position(item: Mapping[str, Any]) -> tuple[int, int]:
            return order[item["section"]], item["row"] or 0  # no row: about the whole import

        errors = sorted(self.errors, key=position)
        return {
            "applied": applied,
            "mode": mode,
            "ok": not self.errors,
            "counts": self.counts,
            "refused_rows": sum(counts["refused"] for counts in self.counts.values()),
            "error_count": len(errors),
            "refusal_groups": refusal_groups(errors),
            "rows": sorted(self.rows, key=position),
            "errors": errors,
        }


def _lookup_names(values: Iterable[Any]) -> list[str]:
    """The names worth looking up: strings a database can hold. A name with a NUL character
    names no stored row (PostgreSQL would fail the query); its row is refused by field."""
    return [
        value
        for value in values
        if isinstance(value, str) and value and not text_error("name", value)
    ]


def _name(field: models.Field, raw: Any) -> Any:
    """A row's name as the model's field normalizes it (``to_python``), to match rows by."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("name")
    try:
        return field.to_python(value)
    except ValidationError:
        return value


@cache
def _write_options(model: type[models.Model]) -> tuple[bool, bool]:
    """Whether ``model``'s rows take ``confirm_embedding_model_change`` and
    ``allow_over_capacity``."""
    return (
        hasattr(model, "confirm_embedding_model_change"),
        hasattr(model, "allow_over_capacity"),
    )


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(item.name == name for item in model._meta.concrete_fields)


def shown(value: Any) -> Any:
    """A value as the report shows it: as stored, or cut to ``SHOWN_CHARS`` characters (its
    JSON text, for a list or object) ending with ``…``."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _validated(
    instance: models.Model, before: Mapping[str, Any] | None, exclude: list[str]
) -> dict[str, tuple[Any, Any]] | None:
    """Validate the row once, as ``full_clean()`` does (the field checks, then ``clean()``,
    their errors together), without its per-row uniqueness and constraint queries (see
    ``Importer.prepare``). Returns the changes of an existing row (attribute → stored value,
    new value; ``{}`` for a new row), or ``None`` when the row, normalized by its field
    checks, equals the stored one: an unchanged row is not written, so its ``clean()`` (which
    may query) need not run."""
    errors: dict[str, Any] = {}
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if not errors and before is not None and _snapshot(instance) == before:
        return None
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if before is None:
        return {}
    after = _snapshot(instance)
    changes = {key: (before[key], after[key]) for key in after if after[key] != before[key]}
    return changes or None


@dataclass(frozen=True)
class _Compared:
    """The fields an existing row is compared by, their attribute names and a reader of
    their values at once."""

    fields: tuple[models.Field, ...]
    names: tuple[str, ...]
    read: Callable[[models.Model], tuple[Any, ...]]


@cache
def _compared_fields(model: type[models.Model]) -> _Compared:
    fields = tuple(
        item
        for item in model._meta.concrete_fields
        if not item.primary_key and item.attname not in IGNORED_KEYS
    )
    names = tuple(item.attname for item in fields)
    return _Compared(fields, names, attribute_reader(names))


def _stored(instance: models.Model) -> dict[str, Any]:
    """The row's values as loaded from the database."""
    compared = _compared_fields(type(instance))
    return dict(zip(compared.names, compared.read(instance), strict=True))


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's values in their stored form, once its field checks have normalized them.
    The checks skip empty values, so those are normalized here (``[]`` given for a list
    field is the stored ``''``)."""
    compared = _compared_fields(type(instance))
    values = compared.read(instance)
    snapshot = dict(zip(compared.names, values, strict=True))
    for item, value in zip(compared.fields, values, strict=True):
        # a non-empty string is never one of a field's empty values
        if value.__class__ is not str or not value:
            snapshot[item.attname] = _stored_form(item, value)
    return snapshot


def _stored_form(item: models.Field, value: Any) -> Any:
    if value not in item.empty_values:
        return value
    if value is None or value.__class__ is str:  # the same form every time: worked out once
        key = (id(item), value)
        if key not in _EMPTY_FORMS:
            _EMPTY_FORMS[key] = _normalized(item, value)
        return _EMPTY_FORMS[key]
    return _normalized(item, value)


#: the stored form of ``None`` and ``""`` by field (see ``_stored_form``)
_EMPTY_FORMS: dict[tuple[int, Any], Any] = {}


def _normalized(item: models.Field, value: Any) -> Any:
    try:
        return item.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def import_document(
    document: Mapping[str, Any],
    apply: bool = False,
    confirm_embedding_model_change: bool = False,
    progress: Callable[[int], None] | None = None,
    mode: str = "all",
    move_unknown_capabilities: bool = False,
    allow_over_capacity: bool = False,
) -> dict[str, Any]:
    """Import a parsed document in one transaction, kept only when ``apply``: in mode ``all``
    (the default) only when no row was refused, in mode ``partial`` with the valid rows (a
    row naming a refused row is refused too). With ``move_unknown_capabilities``, catalog
    capability tokens outside the vocabulary move to ``extended_capabilities`` instead of
    refusing the row; ``allow_over_capacity`` lets active models go beyond their engines'
    capacity. Returns the report; raises ``InventoryImportError`` when an ``all`` apply was
    refused."""
    apply = parse_bool("apply", apply)
    confirm_embedding_model_change = parse_bool(
        "confirm_embedding_model_change", confirm_embedding_model_change
    )
    move_unknown_capabilities = parse_bool("move_unknown_capabilities", move_unknown_capabilities)
    mode = parse_mode(mode)
    allow = parse_bool("allow_over_capacity", allow_over_capacity)
    importer = Importer(
        confirm_embedding_model_change,
        progress,
        allow_over_capacity=allow,
        move_unknown_capabilities=move_unknown_capabilities,
    )
    # A dry run is rolled back: it records nothing, so it never waits for the feed lock.
    quiet = nullcontext() if apply else history.recording.suspended()
    opened = history.atomic() if apply else transaction.atomic()
    with history.operation(), quiet, opened:
        importer.run(document)
        # Only errors of rows can be left out; one about the whole import (an engine taken
        # beyond its capacity) refuses it in any mode.
        keep = apply and mode == "partial" and all(e["row"] for e in importer.errors)
        if not apply or (importer.errors and not keep):
            transaction.set_rollback(True)
    report = importer.report(applied=keep or (apply and not importer.errors), mode=mode)
    if apply and importer.errors and not keep:
        raise InventoryImportError(report)
    return report


def import_inventory(
    source: str | bytes,
    fmt: str = "json",
    apply: bool = False,
    confirm_embedding_model_change: bool = False,
    progress: Callable[[int], None] | None = None,
    mode: str = "all",
    move_unknown_capabilities: bool = False,
    allow_over_capacity: bool = False,
) -> dict[str, Any]:
    """Parse and import; a dry run unless ``apply``. See the package docstring."""
    return import_document(
        parse(source, fmt),
        apply,
        confirm_embedding_model_change,
        progress,
        mode,
        move_unknown_capabilities,
        allow_over_capacity,
    )
