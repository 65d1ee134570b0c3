"""Export the whole inventory as JSON or YAML, and import it back (or catalog rows from CSV).

The document (format ``model-registry-inventory``, version 1)::

    format: model-registry-inventory
    version: 1
    engines:            [{name, provider, config, status, supported}, ...]
    catalog:            [{name, label, catalog_model_id, source_kind, ...}, ...]
    registered_models:  [{name, engine, available_model, model_path, ...}, ...]
    knowledge:          {enabled, embedding_model}

Row fields are the writable fields of each entity's declaration, in declared order. Rows
refer to each other by name, never by id: ``engine`` and ``available_model`` name an engine
and a catalog model, ``knowledge.embedding_model`` a registered model. Ids and timestamps
are left out, rows are sorted by name (byte order) and JSON objects inside rows have their
keys sorted, so export → empty database → import → export gives the same bytes.

Import matches rows by name: a new name is created, an existing row is updated (partially:
keys absent from a row keep their stored value), an identical row is left unchanged. Keys
``id``, ``created_at`` and ``updated_at`` are ignored. Rows in the database but absent from
the file are left alone. Rows are matched by their name as the name field normalizes it
(trimmed). Every row that would be written is validated by the model's ``full_clean()`` (an
unchanged row is only compared); the whole import runs in one transaction, rolled back for a
dry run or when any row is refused, and every error names its section, row number (1-based
within the section; in a CSV file row N is on line N + 1) and field. A CSV file holds
catalog rows: its header names catalog fields; JSON columns (``requirements``, ``metadata``
…) hold JSON text, list columns (``capabilities``, ``tags`` …) a comma-separated string or a
JSON list.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.functions import Collate

from ..declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from ..errors import RegistryValidationError
from ..listing import ListDeclaration, parse_bool
from ..models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from ..models.fields import text_error
from ..services import (
    SERVICES,
    EntityService,
    knowledge_config,
    save_validated,
    translate,
    update_knowledge_config,
)

FORMAT_NAME = "model-registry-inventory"
FORMAT_VERSION = 1
FORMATS = ("json", "yaml", "csv")
EXPORT_FORMATS = ("json", "yaml")
CHUNK_SIZE = 1000
ACTIONS = ("created", "updated", "unchanged", "refused")
IGNORED_KEYS = frozenset({"id", "created_at", "updated_at"})
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Reference:
    """A row key that names a row of another entity (``engine`` → ``engine_id``)."""

    key: str
    payload_key: str
    model: type[models.Model]
    lookup: str  # the ``values()`` path of the referenced name, for exports


@dataclass(frozen=True)
class Section:
    key: str
    sdk_name: str
    declaration: ListDeclaration
    references: tuple[Reference, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def service(self) -> EntityService:
        return SERVICES[self.sdk_name]

    @property
    def export_keys(self) -> list[str]:
        """Row keys in declared order, references under their name key."""
        by_payload = {ref.payload_key: ref.key for ref in self.references}
        return [by_payload.get(item.name, item.name) for item in self.declaration.writable_fields]

    def field_key(self, payload_key: str) -> str:
        """The row key an error on a payload key belongs to."""
        return next(
            (ref.key for ref in self.references if ref.payload_key == payload_key), payload_key
        )


SECTIONS: tuple[Section, ...] = (
    Section("engines", "engine_registry", ENGINES),
    Section("catalog", "available_model_registry", AVAILABLE_MODELS),
    Section(
        "registered_models",
        "model_registry",
        REGISTERED_MODELS,
        (
            Reference("engine", "engine_id", Engine, "engine__name"),
            Reference(
                "available_model", "available_model_id", AvailableModel, "available_model__name"
            ),
        ),
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
KNOWLEDGE = "knowledge"
DOCUMENT_KEYS = ("format", "version", *SECTION_KEYS, KNOWLEDGE)


# --- export --------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """JSON value with object keys sorted at every level (PostgreSQL ``jsonb`` reorders keys)."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


def _by_name(queryset: models.QuerySet) -> models.QuerySet:
    if connection.vendor == "postgresql":
        return queryset.order_by(Collate(F("name"), "C"))
    return queryset.order_by("name")


def export_rows(section: Section) -> Iterator[dict[str, Any]]:
    """The rows of one section in export form, streamed in name order."""
    fields = section.declaration.writable_fields
    references = {ref.payload_key: ref for ref in section.references}
    attrs = [item.source for item in fields] + [ref.lookup for ref in section.references]
    queryset = _by_name(section.model._default_manager.all()).values(*attrs)
    for values in queryset.iterator(chunk_size=2000):
        row: dict[str, Any] = {}
        for item in fields:
            ref = references.get(item.name)
            if ref is not None:
                row[ref.key] = values[ref.lookup]
            else:
                row[item.name] = canonical(item.serialize(values[item.source], values))
        yield row


def export_knowledge() -> dict[str, Any]:
    settings = (
        KnowledgeSettings.objects.filter(pk=KnowledgeSettings.SINGLETON_ID)
        .values("enabled", "embedding_model__name")
        .first()
    ) or {"enabled": False, "embedding_model__name": None}
    return {"enabled": settings["enabled"], "embedding_model": settings["embedding_model__name"]}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _yaml(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def export_chunks(fmt: str = "json") -> Iterator[str]:
    """The export document as text chunks (one per row), for streaming responses."""
    fmt = _format(fmt, EXPORT_FORMATS)
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    if fmt == "json":
        yield "{\n" + "".join(f"  {_json(k)}: {_json(v)},\n" for k, v in header.items())
        for section in SECTIONS:
            yield f"  {_json(section.key)}: ["
            separator = "\n"
            for row in export_rows(section):
                yield f"{separator}    {_json(row)}"
                separator = ",\n"
            yield "\n  ],\n" if separator != "\n" else "],\n"
        yield f"  {_json(KNOWLEDGE)}: {_json(export_knowledge())}\n}}\n"
        return
    yield _yaml(header)
    for section in SECTIONS:
        empty = True
        for row in export_rows(section):
            if empty:
                yield f"{section.key}:\n"
                empty = False
            yield _yaml([row])
        if empty:
            yield f"{section.key}: []\n"
    yield _yaml({KNOWLEDGE: export_knowledge()})


def export_inventory(fmt: str = "json") -> str:
    return "".join(export_chunks(fmt))


def export_filename(fmt: str) -> str:
    return f"inventory.{_format(fmt, EXPORT_FORMATS)}"


# --- parsing -------------------------------------------------------------------------------


def _format(fmt: Any, allowed: tuple[str, ...] = FORMATS) -> str:
    value = str(fmt or "").strip().lower().lstrip(".")
    value = "yaml" if value == "yml" else value
    if value not in allowed:
        raise RegistryValidationError(
            {"format": [f"format must be one of: {', '.join(allowed)}; got {fmt!r}"]}
        )
    return value


def format_for(filename: str, default: str = "json") -> str:
    """The format a file name implies (``.json``, ``.yaml``/``.yml``, ``.csv``)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _format(suffix) if suffix in {"json", "yaml", "yml", "csv"} else default


@dataclass(frozen=True)
class InvalidCell:
    """A CSV cell that could not be decoded; reported as an error of its row and field."""

    message: str


def decode_text(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RegistryValidationError({"file": [f"file is not UTF-8 text: {error}"]}) from None
    return source.removeprefix("\ufeff")


def parse_csv(text: str) -> dict[str, Any]:
    """Catalog rows from CSV whose header names catalog fields."""
    reader = csv.DictReader(io.StringIO(text))
    fields = {item.name: item for item in AVAILABLE_MODELS.fields}
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise RegistryValidationError({"file": ["the CSV file has no header row"]})
    unknown = [name for name in header if name not in fields]
    if unknown:
        writable = ", ".join(item.name for item in AVAILABLE_MODELS.writable_fields)
        raise RegistryValidationError(
            {
                "file": [
                    f"unknown CSV column(s) {', '.join(map(repr, unknown))}; columns: {writable}"
                ]
            }
        )
    reader.fieldnames = header
    rows: list[dict[str, Any]] = []
    for record in reader:
        row: dict[str, Any] = {}
        for name, cell in record.items():
            if name is None or cell is None:
                continue
            kind = fields[name].type
            if kind == "json" or (kind in {"list", "capabilities"} and cell.lstrip()[:1] == "["):
                if not cell.strip():
                    continue
                try:
                    row[name] = json.loads(cell)
                except ValueError as error:
                    row[name] = InvalidCell(f"{name} is not valid JSON: {error}")
                except RecursionError:
                    row[name] = InvalidCell(f"{name} is not valid JSON: nested too deeply")
            else:
                row[name] = cell
        rows.append(row)
    return {"catalog": rows}


def parse(source: str | bytes, fmt: str = "json") -> dict[str, Any]:
    """The import document from JSON, YAML or (catalog only) CSV text."""
    fmt = _format(fmt)
    text = decode_text(source)
    if fmt == "csv":
        return _storable(parse_csv(text))
    try:
        document = json.loads(text) if fmt == "json" else yaml.load(text, Loader=_LOADER)
    except (ValueError, yaml.YAMLError) as error:
        raise RegistryValidationError({"file": [f"not valid {fmt.upper()}: {error}"]}) from None
    except RecursionError:
        raise RegistryValidationError(
            {"file": [f"not valid {fmt.upper()}: nested too deeply"]}
        ) from None
    _storable(document)
    if not isinstance(document, dict):
        raise RegistryValidationError(
            {"file": [f"the document must be an object with keys: {', '.join(DOCUMENT_KEYS)}"]}
        )
    unknown = [key for key in document if key not in DOCUMENT_KEYS]
    if unknown:
        raise RegistryValidationError(
            {
                "file": [
                    f"unknown key(s) {', '.join(map(repr, unknown))}; "
                    f"keys: {', '.join(DOCUMENT_KEYS)}"
                ]
            }
        )
    if document.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise RegistryValidationError({"format": [f"format must be {FORMAT_NAME!r}"]})
    if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise RegistryValidationError({"version": [f"version must be {FORMAT_VERSION}"]})
    for key in SECTION_KEYS:
        if not isinstance(document.get(key, []), list):
            raise RegistryValidationError({key: [f"{key} must be a list of rows"]})
    if not isinstance(document.get(KNOWLEDGE, {}), dict):
        raise RegistryValidationError({KNOWLEDGE: [f"{KNOWLEDGE} must be an object"]})
    return document


def _storable(document: Any) -> Any:
    """Refuse a document holding text no database can store (a lone surrogate, from a
    ``\\ud800`` escape) before any of it reaches a query. Walked without recursion."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and text_error("file", item.replace("\x00", "")):
                raise RegistryValidationError(
                    {"file": ["file must be valid Unicode text (no lone surrogates)"]}
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return document


# --- import --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Pending:
    """A validated row waiting for its chunk's batched write."""

    index: int
    name: Any
    instance: models.Model
    changed: tuple[str, ...] = ()


@dataclass
class Importer:
    confirm_embedding_model_change: bool = False
    progress: Callable[[int], None] | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def run(self, document: Mapping[str, Any]) -> None:
        for section in SECTIONS:
            if section.key in document:
                self.section(section, document[section.key])
        if KNOWLEDGE in document:
            self.knowledge(document[KNOWLEDGE])

    # outcome bookkeeping

    def record(self, section: str, row: int, name: Any, action: str) -> None:
        counts = self.counts.setdefault(section, dict.fromkeys(ACTIONS, 0))
        counts[action] += 1
        self.rows.append({"section": section, "row": row, "name": name, "action": action})

    def refuse(
        self, section: str, row: int, name: Any, error: RegistryValidationError, rename: Callable
    ) -> None:
        self.record(section, row, name, "refused")
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

    def section(self, section: Section, rows: list[Any]) -> None:
        name_field = section.model._meta.get_field("name")
        seen: set[Any] = set()
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            names = [_name(name_field, raw) for raw in chunk]
            existing = {
                obj.name: obj
                for obj in section.model._default_manager.filter(
                    name__in=[name for name in names if isinstance(name, str) and name]
                )
            }
            resolved = self.resolve(section, chunk)
            created: list[Pending] = []
            updated: list[Pending] = []
            for offset, (raw, name) in enumerate(zip(chunk, names, strict=True)):
                index = start + offset + 1
                try:
                    if isinstance(name, str) and name and name in seen:
                        raise RegistryValidationError(
                            {"name": [name_field.error_messages["unique"]]}
                        )
                    seen.add(name)
                    prepared = self.prepare(section, raw, resolved, existing.get(name))
                except RegistryValidationError as error:
                    self.refuse(section.key, index, name, error, section.field_key)
                    continue
                if prepared is None:
                    self.record(section.key, index, name, "unchanged")
                    continue
                instance, changed = prepared
                if instance.pk is None:
                    created.append(Pending(index, name, instance))
                else:
                    updated.append(Pending(index, name, instance, changed))
            self.update(section, updated)
            self.create(section, created)
            if self.progress:
                self.progress(len(chunk))

    def resolve(self, section: Section, chunk: list[Any]) -> dict[str, dict[str, int]]:
        """Name → id of the rows this chunk refers to, one query per reference."""
        resolved: dict[str, dict[str, int]] = {}
        for ref in section.references:
            wanted = {
                raw.get(ref.key)
                for raw in chunk
                if isinstance(raw, dict) and isinstance(raw.get(ref.key), str)
            }
            resolved[ref.key] = dict(
                ref.model._default_manager.filter(name__in=wanted).values_list("name", "pk")
            )
        return resolved

    def prepare(
        self,
        section: Section,
        raw: Any,
        resolved: Mapping[str, Mapping[str, int]],
        instance: models.Model | None,
    ) -> tuple[models.Model, tuple[str, ...]] | None:
        """The validated instance to write and, for an existing row, the fields that change;
        ``None`` when the stored row already matches."""
        if not isinstance(raw, dict):
            raise RegistryValidationError({"row": ["each row must be an object"]})
        payload = {key: value for key, value in raw.items() if key not in IGNORED_KEYS}
        bad = {k: [v.message] for k, v in payload.items() if isinstance(v, InvalidCell)}
        if bad:
            raise RegistryValidationError(bad)
        looked_up: list[str] = []
        for ref in section.references:
            if ref.key not in payload:
                continue
            value = payload.pop(ref.key)
            if value in (None, ""):
                payload[ref.payload_key] = None
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
        before = _snapshot(instance) if instance is not None else None
        instance = instance if instance is not None else section.model()
        section.service.assign(instance, payload)
        if hasattr(instance, "confirm_embedding_model_change"):
            instance.confirm_embedding_model_change = self.confirm_embedding_model_change
        if before is not None and _unchanged(instance, before, looked_up):
            return None
        try:
            # The model's field checks and clean() run for every row that is written. Three
            # checks that would cost one query per row are done per chunk instead, and the
            # database enforces them again at write time (a conflict there is re-validated row
            # by row, see create() and update()): name uniqueness (the chunk's names are looked
            # up at once), the check constraints (they repeat the fields' choices, checked
            # here) and the existence of a row this chunk looked up by name.
            instance.full_clean(
                exclude=looked_up, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            raise translate(error, section.model) from error
        if before is None:
            return instance, ()
        after = _snapshot(instance)
        changed = tuple(key for key in after if after[key] != before[key])
        return (instance, changed) if changed else None

    def write(self, section: Section, item: Pending, action: str) -> None:
        """Save one row through the full validation (the fallback when a batch conflicts)."""
        try:
            save_validated(item.instance)
        except RegistryValidationError as error:
            self.refuse(section.key, item.index, item.name, error, section.field_key)
            return
        self.record(section.key, item.index, item.name, action)

    def create(self, section: Section, pending: list[Pending]) -> None:
        """Insert the chunk's new rows at once; on a conflict, row by row to name it."""
        if not pending:
            return
        try:
            with transaction.atomic():
                section.model._default_manager.bulk_create([item.instance for item in pending])
        except IntegrityError:
            for item in pending:
                item.instance.pk = None
                item.instance._state.adding = True
                self.write(section, item, "created")
            return
        for item in pending:
            self.record(section.key, item.index, item.name, "created")

    def update(self, section: Section, pending: list[Pending]) -> None:
        """Write the chunk's changed rows, one statement per set of changed fields, stamping
        ``auto_now`` fields as ``save()`` would; on a conflict, row by row to name it."""
        if not pending:
            return
        meta = section.model._meta
        stamped = [item for item in meta.concrete_fields if getattr(item, "auto_now", False)]
        groups: dict[tuple[str, ...], list[models.Model]] = {}
        for item in pending:
            for stamp in stamped:
                stamp.pre_save(item.instance, add=False)
            groups.setdefault(item.changed, []).append(item.instance)
        try:
            with transaction.atomic():
                for changed, instances in groups.items():
                    names = {meta.get_field(key).name for key in changed}
                    names.update(stamp.name for stamp in stamped)
                    section.model._default_manager.bulk_update(instances, sorted(names))
        except IntegrityError:
            for item in pending:
                self.write(section, item, "updated")
            return
        for item in pending:
            self.record(section.key, item.index, item.name, "updated")

    def knowledge(self, raw: Any) -> None:
        def rename(key: str) -> str:
            return "embedding_model" if key == "embedding_model_id" else key

        try:
            unknown = [key for key in raw if key not in ("enabled", "embedding_model")]
            if unknown:
                raise RegistryValidationError(
                    {
                        key: ["unknown key; knowledge keys: enabled, embedding_model"]
                        for key in unknown
                    }
                )
            payload: dict[str, Any] = {}
            if "enabled" in raw:
                payload["enabled"] = raw["enabled"]
            if "embedding_model" in raw:
                name = raw["embedding_model"]
                model_id = None
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

    def report(self, applied: bool) -> dict[str, Any]:
        """Rows and errors in file order (new rows are inserted at the end of their chunk)."""
        order = {key: index for index, key in enumerate((*SECTION_KEYS, KNOWLEDGE))}

        def position(item: Mapping[str, Any]) -> tuple[int, int]:
            return order[item["section"]], item["row"]

        return {
            "applied": applied,
            "ok": not self.errors,
            "counts": self.counts,
            "rows": sorted(self.rows, key=position),
            "errors": sorted(self.errors, key=position),
        }


def _name(field: models.Field, raw: Any) -> Any:
    """A row's name as the model's field normalizes it (``to_python``), to match rows by."""
    if not isinstance(raw, dict):
        return None
    value = raw.get("name")
    try:
        return field.to_python(value)
    except ValidationError:
        return value


def _unchanged(instance: models.Model, before: Mapping[str, Any], exclude: list[str]) -> bool:
    """Whether the row, normalized by its fields, equals the stored one. An unchanged row is
    not written, so its ``clean()`` (which may query) need not run."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError:
        return False
    return _snapshot(instance) == before


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        item.attname: getattr(instance, item.attname)
        for item in instance._meta.concrete_fields
        if not item.primary_key and item.attname not in IGNORED_KEYS
    }


def row_count(document: Mapping[str, Any]) -> int:
    return sum(len(document.get(key) or []) for key in SECTION_KEYS)


def import_document(
    document: Mapping[str, Any],
    apply: bool = False,
    confirm_embedding_model_change: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Import a parsed document in one transaction; kept only when ``apply`` and no row was
    refused. Returns the report; raises ``InventoryImportError`` when ``apply`` failed."""
    apply = parse_bool("apply", apply)
    confirm_embedding_model_change = parse_bool(
        "confirm_embedding_model_change", confirm_embedding_model_change
    )
    importer = Importer(confirm_embedding_model_change, progress)
    with transaction.atomic():
        importer.run(document)
        if importer.errors or not apply:
            transaction.set_rollback(True)
    report = importer.report(applied=bool(apply) and not importer.errors)
    if apply and importer.errors:
        raise InventoryImportError(report)
    return report


def import_inventory(
    source: str | bytes,
    fmt: str = "json",
    apply: bool = False,
    confirm_embedding_model_change: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Parse and import; a dry run unless ``apply``. See the module docstring."""
    return import_document(parse(source, fmt), apply, confirm_embedding_model_change, progress)
