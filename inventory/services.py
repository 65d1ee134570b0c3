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
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

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
def validated_write(instance: models.Model) -> Iterator[None]:
    """Validate, run the caller's write, and report database-level conflicts as validation."""
    model = type(instance)
    try:
        with transaction.atomic():
            instance.full_clean()
            yield
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


def save_validated(instance: models.Model) -> models.Model:
    with validated_write(instance):
        instance.save()
    return instance


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

    def create_instance(self, payload: Any, **options: Any) -> models.Model:
        instance = self.model()
        self.assign(instance, payload)
        _apply_options(instance, options)
        return save_validated(instance)

    def update_instance(self, pk: Any, payload: Any, **options: Any) -> models.Model | None:
        """Partial update under a row lock, so concurrent updates of other keys survive."""
        pk = parse_id("id", pk)
        _payload(payload)
        with transaction.atomic():
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
        """Delete one row; ``False`` when it does not exist, refused when others depend on it."""
        pk = parse_id("id", pk)
        instance = self.model._default_manager.filter(pk=pk).first()
        if instance is None:
            return False
        return delete_instance(instance)


def delete_instance(instance: models.Model) -> bool:
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        raise RegistryProtectedError(instance.delete_refusal(error)) from error  # type: ignore[attr-defined]
    return True


def _apply_options(instance: models.Model, options: Mapping[str, Any]) -> None:
    if "confirm_embedding_model_change" in options:
        value = parse_bool(
            "confirm_embedding_model_change", options["confirm_embedding_model_change"]
        )
        instance.confirm_embedding_model_change = value  # type: ignore[attr-defined]
    unknown = set(options) - {"confirm_embedding_model_change"}
    if unknown:
        raise TypeError(f"unexpected options: {', '.join(sorted(unknown))}")


SERVICES: dict[str, EntityService] = {
    name: EntityService(item) for name, item in DECLARATIONS.items()
}


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


def update_knowledge_config(
    payload: Any, confirm_embedding_model_change: Any = False
) -> dict[str, Any]:
    """Change ``enabled`` and/or ``embedding_model_id``; see ``KnowledgeSettings.clean``."""
    payload = _payload(payload)
    refuse_unknown_keys(payload, KNOWLEDGE_KEYS, known_label="writable fields")
    confirm = parse_bool("confirm_embedding_model_change", confirm_embedding_model_change)
    KnowledgeSettings.load()
    with transaction.atomic():
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
