"""Writes: create, update and delete for every entity, and the knowledge settings.

Every door (SDK, API, forms, admin, commands, imports) writes through here or through the
same model ``full_clean()``: each write runs in a transaction, validation errors are
translated once into ``RegistryValidationError`` with payload field names, and a race that
the database catches (unique name, vanished foreign key) is reported with the same message
as the validation would have given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models
from django.db.models import ProtectedError, RestrictedError

from . import history, listing
from .declarations import DECLARATIONS, REGISTERED_MODELS
from .errors import NON_FIELD, RegistryProtectedError, RegistryValidationError
from .listing import ListDeclaration, parse_bool
from .models import KnowledgeSettings, RegisteredModel


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
def validated_write(instance: models.Model) -> Iterator[None]:
    """Validate, run the caller's write, and report database-level conflicts as validation."""
    model = type(instance)
    try:
        with history.atomic():
            instance.full_clean()
            yield
            check_deferred_constraints()
    except ValidationError as error:
        raise translate(error, model) from error
    except IntegrityError as error:
        # Another writer got in between validation and the write. Validating again now sees
        # its committed row and yields the usual message ("model name already in use").
        try:
            instance.full_clean()
        except ValidationError as validation:
            raise translate(validation, model) from error
        raise RegistryValidationError(
            "the change conflicts with a concurrent write; please retry"
        ) from error


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


def parse_id(value: Any, key: str = "id") -> int:
    return listing.parse_id(key, value)


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
        unknown = [
            key
            for key in payload
            if key not in writable and key not in self.declaration.read_only_names
        ]
        if unknown:
            raise RegistryValidationError(
                {
                    key: [f"unknown field {key!r}; writable fields: {', '.join(writable)}"]
                    for key in unknown
                }
            )
        for key, value in payload.items():
            if key in writable:
                setattr(instance, writable[key].source, value)

    @history.grouped
    def create_instance(self, payload: Any, **options: Any) -> models.Model:
        instance = self.model()
        self.assign(instance, payload)
        _apply_options(instance, options)
        return save_validated(instance)

    @history.grouped
    def update_instance(self, pk: Any, payload: Any, **options: Any) -> models.Model | None:
        """Partial update under a row lock, so concurrent updates of other keys survive."""
        pk = parse_id(pk)
        _payload(payload)
        with history.atomic():
            instance = self.model._default_manager.select_for_update().filter(pk=pk).first()
            if instance is None:
                return None
            self.assign(instance, payload)
            _apply_options(instance, options)
            return save_validated(instance)

    def create(self, payload: Any, **options: Any) -> dict[str, Any]:
        return self.declaration.row_for(self.create_instance(payload, **options))

    def update(self, pk: Any, payload: Any, **options: Any) -> dict[str, Any] | None:
        instance = self.update_instance(pk, payload, **options)
        return None if instance is None else self.declaration.row_for(instance)

    def delete(self, pk: Any) -> bool:
        """Delete one row; ``False`` when it does not exist, refused when others depend on it.

        The row is locked before it is deleted, so of concurrent deletes of one row exactly
        one returns ``True``: the others wait for it and then find no row.
        """
        pk = parse_id(pk)
        with history.atomic():
            rows = self.model._default_manager.select_for_update(of=("self",))
            instance = rows.filter(pk=pk).first()
            if instance is None:
                return False
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


# --- knowledge settings --------------------------------------------------------------------

KNOWLEDGE_KEYS = ("enabled", "embedding_model_id")


def knowledge_config(settings: KnowledgeSettings | None = None) -> dict[str, Any]:
    """The knowledge settings as modules see them."""
    settings = settings or KnowledgeSettings.load()
    model = settings.embedding_model
    return {
        "enabled": settings.enabled,
        "embedding_model_id": settings.embedding_model_id,
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
        pk = parse_id(pk, "embedding_model_id")
    except RegistryValidationError:
        return
    list(RegisteredModel.objects.select_for_update(no_key=True).filter(pk=pk).values_list("pk"))


@history.grouped
def update_knowledge_config(
    payload: Any, confirm_embedding_model_change: Any = False
) -> dict[str, Any]:
    """Change ``enabled`` and/or ``embedding_model_id``; see ``KnowledgeSettings.clean``."""
    payload = _payload(payload)
    unknown = [key for key in payload if key not in KNOWLEDGE_KEYS]
    if unknown:
        raise RegistryValidationError(
            {
                key: [f"unknown field {key!r}; writable fields: {', '.join(KNOWLEDGE_KEYS)}"]
                for key in unknown
            }
        )
    confirm = parse_bool("confirm_embedding_model_change", confirm_embedding_model_change)
    KnowledgeSettings.load()
    with history.atomic():
        if "embedding_model_id" in payload:
            _lock_selected_model(payload["embedding_model_id"])
        settings = KnowledgeSettings.objects.select_for_update().get(
            pk=KnowledgeSettings.SINGLETON_ID
        )
        if "enabled" in payload:
            settings.enabled = payload["enabled"]
        if "embedding_model_id" in payload:
            settings.embedding_model_id = payload["embedding_model_id"]
        settings.confirm_embedding_model_change = confirm
        save_validated(settings)
    settings.refresh_from_db()
    return knowledge_config(settings)
