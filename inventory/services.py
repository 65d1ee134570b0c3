"""Writes: create, update and delete for every entity, and the knowledge settings.

Every door (SDK, API, forms, admin, commands, imports) writes through here or through the
same model ``full_clean()``: each write runs in a transaction, validation errors are
translated once into ``RegistryValidationError`` with payload field names, and a race that
the database catches (unique name, vanished foreign key) is reported with the same message
as the validation would have given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models
from django.db.models import F, ProtectedError, RestrictedError
from django.db.models.constants import LOOKUP_SEP

from . import history
from .declarations import DECLARATIONS, REGISTERED_MODELS
from .errors import NON_FIELD, RegistryProtectedError, RegistryValidationError, refuse_unknown_keys
from .listing import ListDeclaration, parse_bool
from .models import KnowledgeSettings, RegisteredModel
from .values import parse_id


def translate(error: ValidationError, model: type[models.Model]) -> RegistryValidationError:
    """A Django ``ValidationError`` as our error, keyed by payload names (``engine_id``)."""
    errors: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        errors.setdefault(payload_name(model, key), []).extend(messages)
    return RegistryValidationError(errors)


def payload_name(model: type[models.Model], key: str) -> str:
    """The payload key for a model field name: a foreign key ``engine`` is ``engine_id``."""
    if key == NON_FIELD:
        return key
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return key
    return getattr(field, "attname", key)


@contextmanager
def validated_write(
    instance: models.Model, exclude: Collection[str] | None = None
) -> Iterator[None]:
    """Validate (all fields but ``exclude``, which the write leaves as stored), run the
    caller's write, and report database-level conflicts as validation."""
    try:
        with history.atomic():
            instance.full_clean(exclude=exclude)
            yield
            check_deferred_constraints()
    except ValidationError as error:
        raise translate(error, type(instance)) from error
    except IntegrityError as error:
        raise write_conflict(instance, exclude, error) from error


def write_conflict(
    instance: models.Model, exclude: Collection[str] | None, error: IntegrityError
) -> RegistryValidationError:
    """The error for a write the database refused after validation passed (call it once the
    failed transaction or savepoint is rolled back): another writer got in between, and
    validating again now sees its committed row and yields the usual message ("model name
    already in use")."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as validation:
        return translate(validation, type(instance))
    return RegistryValidationError("the change conflicts with a concurrent write; please retry")


def check_deferred_constraints() -> None:
    """Check the foreign keys written so far now, not at commit.

    PostgreSQL defers foreign-key checks to the end of the outermost transaction, where a row
    deleted meanwhile by another writer (the engine of a new model, the model being selected
    for knowledge) would surface as an ``IntegrityError`` outside any handler. Checked here,
    inside the write's savepoint, the conflict is re-validated and worded like validation.
    SQLite runs one writer at a time, so no other writer can delete a row in between.
    """
    if connection.vendor == "postgresql":
        connection.check_constraints()


@history.grouped
def save_validated(instance: models.Model) -> models.Model:
    with validated_write(instance):
        instance.save()
    return instance


def _stored_values(instance: models.Model) -> dict[str, Any]:
    """Each field's value in its stored form where it parses (``["chat"]`` as ``"chat"``,
    ``"12"`` as ``12``), so that a value given in another spelling counts as unchanged."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.value_from_object(instance)
        try:
            values[field.name] = field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            values[field.name] = value
    return values


def unchanged_fields(instance: models.Model, before: Mapping[str, Any]) -> list[str] | None:
    """The fields still equal to ``before`` (the stored values); ``None`` if all are."""
    after = _stored_values(instance)
    unchanged = [name for name, value in after.items() if before.get(name) == value]
    return None if len(unchanged) == len(after) else unchanged


def save_changes(instance: models.Model, unchanged: Collection[str]) -> None:
    """Validate once, leaving out the ``unchanged`` fields (valid as stored), and write only
    the changed ones (and ``updated_at``), so a concurrent change of another field survives.
    The caller holds the transaction and reports errors (see ``update_instance``)."""
    instance.full_clean(exclude=unchanged)
    fields = [
        field.name
        for field in instance._meta.concrete_fields
        if not field.primary_key
        and (field.name not in unchanged or getattr(field, "auto_now", False))
    ]
    instance.save(update_fields=fields)


class StaleRowError(RegistryValidationError):
    """A write that names the version it read (an ETag) on a row that changed since."""


def etag_of(row: Mapping[str, Any]) -> str:
    """A strong ETag: a hash of the serialized row (``updated_at`` included)."""
    body = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:40] + '"'


def etag_matches(header: str, etag: str) -> bool:
    """Whether an ``If-Match`` value (one ETag, a list, ``*``, weak ``W/`` forms) names
    ``etag``."""
    candidates = [item.strip() for item in header.split(",")]
    return any(item == "*" or item.removeprefix("W/") == etag for item in candidates)


def _payload(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise RegistryValidationError({"payload": ["payload must be a JSON object"]})
    return payload


@dataclass
class LockedRow:
    """A row read under its lock (``EntityService.locked``), as stored, with its ETag; after
    an update, ``instance`` holds the written values and ``unchanged`` the fields left as
    they were."""

    instance: models.Model
    etag: str
    unchanged: list[str] | None = None


@dataclass(frozen=True)
class EntityService:
    """Create, update and delete rows of one entity, returning rows in the declared shape."""

    declaration: ListDeclaration

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    def assign(self, instance: models.Model, payload: Any) -> None:
        """Copy writable payload keys onto the instance; read-only keys are ignored."""
        payload = _payload(payload)
        writable, read_only = self._writable
        if not writable.keys() >= payload.keys() - read_only:
            given = [key for key in payload if key not in read_only]
            refuse_unknown_keys(given, writable, known_label="writable fields")
        for key, value in payload.items():
            if key in writable:
                setattr(instance, writable[key], value)

    @cached_property
    def _writable(self) -> tuple[dict[str, str], set[str]]:
        """Attribute of each writable field by name, and the read-only names."""
        writable = {item.name: item.source for item in self.declaration.writable_fields}
        return writable, self.declaration.read_only_names

    @history.grouped
    def create_instance(self, payload: Any, **options: Any) -> models.Model:
        instance = self.model()
        self.assign(instance, payload)
        _apply_options(instance, options)
        return save_validated(instance)

    def etag(self, instance: models.Model) -> str:
        """The ETag of a row as stored (the API sends it; edit forms carry it)."""
        return etag_of(self.declaration.row_for(instance))

    def lock(self, pk: Any) -> models.Model | None:
        """The row, locked until the end of the caller's transaction; ``None`` if absent."""
        pk = parse_id("id", pk)
        return self.model._default_manager.select_for_update().filter(pk=pk).first()

    def lock_row(self, pk: Any) -> LockedRow | None:
        """The row locked until the end of the caller's transaction, with its ETag, in one
        query: the row's declared values (its context included) and what the model's rules
        would look up (its ``lock_context()``) are read as annotations of the locking
        ``SELECT … FOR UPDATE OF`` the row's table alone."""
        declaration = self.declaration
        aliases = {
            attr: f"_row_{index}"
            for index, attr in enumerate(declaration.value_attrs)
            if LOOKUP_SEP in attr
        }
        related = {alias: F(attr) for attr, alias in aliases.items()}
        context = declaration.single_row_annotations()
        own = getattr(self.model, "lock_context", dict)()
        queryset = declaration.queryset().filter(pk=parse_id("id", pk))
        queryset = queryset.annotate(**related, **context, **own)
        instance = queryset.select_for_update(of=("self",)).first()
        if instance is None:
            return None
        values = {
            attr: getattr(instance, aliases.get(attr) or self.model._meta.get_field(attr).attname)
            for attr in declaration.value_attrs
        }
        values.update({key: getattr(instance, key) for key in context})
        return LockedRow(instance, etag_of(declaration.serialize(values)))

    @contextmanager
    def locked(self, pk: Any) -> Iterator[LockedRow | None]:
        """A write transaction holding the row's lock, with the row read once (``lock_row``),
        for an edit made inside with ``update_locked``. A conflict the database reports at
        the write is worded like validation, once the transaction is rolled back."""
        row = None
        try:
            with history.atomic():
                row = self.lock_row(pk)
                yield row
        except IntegrityError as error:
            if row is None:
                raise
            raise write_conflict(row.instance, row.unchanged, error) from error

    def check_etag(self, instance: models.Model, if_match: str | None) -> None:
        if if_match is not None:
            self.refuse_stale(if_match, self.etag(instance))

    def refuse_stale(self, if_match: str, etag: str) -> None:
        if not etag_matches(if_match, etag):
            raise StaleRowError(
                f"this {self.model._meta.verbose_name} was changed since you opened it, so "
                "nothing was saved: reload it to see the current values, then make your change "
                "again"
            )

    @history.grouped
    def update_instance(
        self, pk: Any, payload: Any, if_match: str | None = None, **options: Any
    ) -> models.Model | None:
        """Partial update under a row lock, so concurrent updates of other keys survive:
        only the fields the payload changes are validated and written. With ``if_match`` (an
        ETag), a row that changed since is refused with ``StaleRowError``."""
        pk = parse_id("id", pk)
        _payload(payload)
        with self.locked(pk) as row:
            if row is None:
                return None
            return self.update_locked(row, payload, if_match, **options)

    @history.grouped
    def update_locked(
        self, row: LockedRow, payload: Any, if_match: str | None = None, **options: Any
    ) -> models.Model:
        """``update_instance`` of a row read by ``locked``, inside its transaction (which an
        error leaves to roll back): the edit pages and the admin validate their form on a copy
        of ``row.instance`` in the same transaction, so the row is read once."""
        _payload(payload)
        if if_match is not None:
            self.refuse_stale(if_match, row.etag)
        instance = row.instance
        try:
            before = _stored_values(instance)
            stored = {f.attname: getattr(instance, f.attname) for f in self.model._meta.fields}
            self.assign(instance, payload)
            _apply_options(instance, options)
            row.unchanged = unchanged = unchanged_fields(instance, before)
            if unchanged is not None:
                # A value given in another spelling ("2048") keeps its stored form, so that
                # the model's rules see it as stored.
                for field in self.model._meta.concrete_fields:
                    if field.name in unchanged:
                        setattr(instance, field.attname, stored[field.attname])
                save_changes(instance, unchanged)
        except ValidationError as error:
            raise translate(error, self.model) from error
        return instance

    def create(self, payload: Any, **options: Any) -> dict[str, Any]:
        return self.declaration.row_for(self.create_instance(payload, **options))

    def update(self, pk: Any, payload: Any, **options: Any) -> dict[str, Any] | None:
        instance = self.update_instance(pk, payload, **options)
        return None if instance is None else self.declaration.row_for(instance)

    def delete(self, pk: Any, if_match: str | None = None) -> bool:
        """Delete one row; ``False`` when it does not exist, refused when others depend on it
        (or, with ``if_match``, when it changed since that ETag).

        The row is locked before it is deleted, so of concurrent deletes of one row exactly
        one returns ``True``: the others wait for it and then find no row.
        """
        pk = parse_id("id", pk)
        with history.atomic():
            instance = self.lock(pk)
            if instance is None:
                return False
            self.check_etag(instance, if_match)
            return delete_instance(instance)


@history.grouped
def delete_instance(instance: models.Model) -> bool:
    """Delete one row; ``True`` only when this call removed it (``False`` when another writer
    deleted it first), refused when other rows depend on it, even when they were written
    concurrently (the foreign-key check then fails instead of the ``PROTECT`` look-up)."""
    label = instance._meta.label
    try:
        with history.atomic():
            _, deleted = instance.delete()
            check_deferred_constraints()
    except (ProtectedError, RestrictedError, IntegrityError) as error:
        raise RegistryProtectedError(instance.delete_refusal(error)) from error  # type: ignore[attr-defined]
    return deleted.get(label, 0) > 0


#: Per-write options a caller may give: each is a flag the model's ``clean()`` reads.
WRITE_OPTIONS = ("confirm_embedding_model_change", "allow_over_capacity")


def _apply_options(instance: models.Model, options: Mapping[str, Any]) -> None:
    unknown = set(options) - set(WRITE_OPTIONS)
    if unknown:
        raise TypeError(f"unexpected options: {', '.join(sorted(unknown))}")
    for name, value in options.items():
        if hasattr(instance, name):
            setattr(instance, name, parse_bool(name, value))
        else:
            parse_bool(name, value)


SERVICES: dict[str, EntityService] = {
    name: EntityService(item) for name, item in DECLARATIONS.items()
}


def service_for(model: type[models.Model]) -> EntityService | None:
    """The service of a model's entity (``None`` for the knowledge settings)."""
    return next((item for item in SERVICES.values() if item.model is model), None)


# --- knowledge settings --------------------------------------------------------------------

#: The knowledge settings' writable keys: the one list every door (SDK, API, pages, import,
#: export, schema) reads. Their defaults are the model fields' defaults.
KNOWLEDGE_KEYS = ("enabled", "embedding_model_id")


def knowledge_defaults() -> dict[str, Any]:
    """Each writable key's value when not given (a full replacement)."""
    return {
        key: KnowledgeSettings._meta.get_field(key.removesuffix("_id")).get_default()
        for key in KNOWLEDGE_KEYS
    }


def knowledge_config(settings: KnowledgeSettings | None = None) -> dict[str, Any]:
    """The knowledge settings as modules see them."""
    settings = settings or KnowledgeSettings.load()
    model = settings.embedding_model
    return {
        **{key: getattr(settings, key) for key in KNOWLEDGE_KEYS},
        "embedding_model": REGISTERED_MODELS.row_for(model) if model else None,
        "dim": (model.extra_config or {}).get("dim") if model else None,
        "updated_at": settings.updated_at.isoformat() if settings.updated_at else None,
    }


def _lock_selected_model(pk: Any) -> None:
    """Lock the model about to be selected before the settings row, in the order a delete
    takes them: a concurrent delete of that model then either finishes first (validation
    reports "embedding_model_id does not exist") or waits and is refused as the model in use.
    A malformed id locks nothing; validation reports it."""
    try:
        pk = parse_id("embedding_model_id", pk)
    except RegistryValidationError:
        return
    list(RegisteredModel.objects.select_for_update(no_key=True).filter(pk=pk).values_list("pk"))


@history.grouped
def update_knowledge_config(
    payload: Any, confirm_embedding_model_change: Any = False
) -> dict[str, Any]:
    """Change ``enabled`` and/or ``embedding_model_id``; see ``KnowledgeSettings.clean``."""
    payload = _payload(payload)
    refuse_unknown_keys(payload, KNOWLEDGE_KEYS, known_label="writable fields")
    confirm = parse_bool("confirm_embedding_model_change", confirm_embedding_model_change)
    KnowledgeSettings.load()
    with history.atomic():
        if "embedding_model_id" in payload:
            _lock_selected_model(payload["embedding_model_id"])
        settings = KnowledgeSettings.objects.select_for_update().get(
            pk=KnowledgeSettings.SINGLETON_ID
        )
        for key in KNOWLEDGE_KEYS:
            if key in payload:
                setattr(settings, key, payload[key])
        settings.confirm_embedding_model_change = confirm
        save_validated(settings)
    settings.refresh_from_db()
    return knowledge_config(settings)
