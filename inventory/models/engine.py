"""Engine: an installed inference runtime (table ``engine_registry``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .base import TimestampedModel, invalid_choice_message, json_object_errors, status_constraint
from .fields import FlagField, VocabularyField, json_field, megabytes_field
from .names import NamedModel, NameField, unique_name_constraint
from .secret_config import SecretConfigField, SecretConfigModel

ENGINE_REQUIRED = "name and provider are required"


class EngineStatus(models.TextChoices):
    UNINSTALLED = "uninstalled"
    INSTALLING = "installing"
    INSTALLED = "installed"
    ACTIVE = "active"
    ERROR = "error"


class Engine(NamedModel, SecretConfigModel, TimestampedModel):
    Status = EngineStatus
    name_in_use = "engine name already in use"

    name = NameField(
        max_length=200,
        db_index=True,
        error_messages={"blank": ENGINE_REQUIRED, "null": ENGINE_REQUIRED},
    )
    provider = VocabularyField(
        vocabulary="provider",
        max_length=100,
        help_text="Runtime or provider from the provider vocabulary (aliases accepted, e.g. "
        "llama.cpp for llamacpp): ollama, llamacpp, vllm, openai, whisper_cpp…",
        error_messages={"blank": ENGINE_REQUIRED, "null": ENGINE_REQUIRED},
    )
    config = json_field(
        "config",
        field_class=SecretConfigField,
        help_text="JSON object. Secret keys (api_key, token, password, authorization, "
        "*_api_key, *_token… and keys marked secret) are stored encrypted and shown as "
        "'********'; send '********' to keep a stored secret, null or '' to remove it.",
    )
    status = models.CharField(
        max_length=20,
        choices=EngineStatus.choices,
        default=EngineStatus.UNINSTALLED,
        error_messages={"invalid_choice": invalid_choice_message("status", EngineStatus)},
    )
    supported = FlagField(default=False)
    vram_total_mb = megabytes_field(
        "vram_total_mb",
        optional=True,
        help_text="GPU memory of the engine in MB; empty when unknown.",
    )
    ram_total_mb = megabytes_field(
        "ram_total_mb",
        optional=True,
        help_text="Host memory available to the engine in MB; empty when unknown.",
    )

    class Meta:
        db_table = "engine_registry"
        ordering = ["id"]
        verbose_name = "engine"
        constraints = [
            status_constraint("engine_registry", EngineStatus),
            unique_name_constraint("engine_registry"),
        ]
        indexes = [models.Index(fields=["provider"]), models.Index(fields=["status"])]
        permissions = [("view_engine_secrets", "Can view secrets in engine config in clear")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = json_object_errors(self, "config") or self.seal_secrets()
        if errors:
            raise ValidationError(errors)

    def delete_refusal(self, error: Exception | None, count: int | None = None) -> str:
        if count is None:
            count = self.registered_models.count()
        noun = "model" if count == 1 else "models"
        return (
            f"engine {self.name!r} still has {count} registered {noun}; "
            "delete them or move them to another engine first"
        )
