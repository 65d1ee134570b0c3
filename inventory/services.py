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
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models
from django.db.models import ProtectedError, RestrictedError

from . import history
from .declarations import DECLARATIONS, REGISTERED_MODELS
from .errors import NON_FIELD, RegistryProtectedError, RegistryValidationError, refuse_unknown_keys
from .listing import ListDeclaration, parse_bool
from .models import KnowledgeSettings
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
        writable = {item.name: item for item in self.declaration.writable_fields}
        given = [key for key in payload if key not in self.declaration.read_only_names]
        refuse_unknown_keys(given, writable, known_label="writable fields")
        for key, value in payload.items():
            if key in writable:
                setattr(instance, writable[key].source, value)

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

    def check_etag(self, instance: models.Model, if_match: str | None) -> None:
        if if_match is not None and not etag_matches(if_match, self.etag(instance)):
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
        instance, unchanged = None, None
        try:
            with history.atomic():
                instance = self.lock(pk)
                if instance is None:
                    return None
                self.check_etag(instance, if_match)
                before = _stored_values(instance)
                stored = {f.attname: getattr(instance, f.attname) for f in self.model._meta.fields}
                self.assign(instance, payload)
                _apply_options(instance, options)
                unchanged = unchanged_fields(instance, before)
                if unchanged is not None:
                    # A value given in another spelling ("2048") keeps its stored form, so
                    # that the model's rules see it as stored.
                    for field in self.model._meta.concrete_fields:
                        if field.name in unchanged:
                            setattr(instance, field.attname, stored[field.attname])
                    save_changes(instance, unchanged)
                return instance
        except ValidationError as error:
            raise translate(error, self.model) from error
        except IntegrityError as error:
            raise write_conflict(instance, unchanged, error) from error

    def create(self, payload: Any, **options: Any) -> dict[str, Any]:
        return self.declaration.row_for(self.create_instance(payload, **options))

    def update(self, pk: Any, payload: Any, **options: Any) -> dict[str, Any] | None:
        instance = self.update_instance(pk, payload, **options)
        return None if instance is None else self.declaration.row_for(instance)

    def delete(self, pk: Any, if_match: str | None = None) -> bool:
        """Delete one row; ``False`` when it does not exist, refused when others depend on it
        (or, with ``if_match``, when it changed since that ETag)."""
        pk = parse_id("id", pk)
        with history.atomic():
            rows = self.model._default_manager.filter(pk=pk)
            instance = self.lock(pk) if if_match is not None else rows.first()
            if instance is None:
                return False
            self.check_etag(instance, if_match)
            return delete_instance(instance)


@history.grouped
def delete_instance(instance: models.Model) -> bool:
    try:
        with history.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        raise RegistryProtectedError(instance.delete_refusal(error)) from error  # type: ignore[attr-defined]
    return True


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
