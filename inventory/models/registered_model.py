"""RegisteredModel: a model attached to an engine, the runtime side (table ``model_registry``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .. import capabilities as caps
from .. import extra_config
from .available_model import AvailableModel
from .base import (
    TimestampedModel,
    capabilities_under_validation,
    extra_config_errors,
    invalid_choice_message,
    status_constraint,
)
from .engine import Engine
from .fields import CapabilitiesField, FlagField, StrippedCharField, json_field, remote_url_field
from .names import NamedModel, NameField, unique_name_constraint

MODEL_REQUIRED = "name and engine_id are required"


class RegisteredModelStatus(models.TextChoices):
    AVAILABLE = "available"
    ACTIVE = "active"
    DOWNLOADING = "downloading"
    ERROR = "error"
    DISABLED = "disabled"


#: The largest value of an ``integer`` column on PostgreSQL. SQLite would store more, so the
#: model refuses it on every database alike.
MAX_MEGABYTES = 2_147_483_647


def _megabytes(field: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=0,
        validators=[
            MinValueValidator(0, message=f"{field} must be a non-negative integer"),
            MaxValueValidator(MAX_MEGABYTES, message=f"{field} must be at most {MAX_MEGABYTES}"),
        ],
    )


class RegisteredModel(NamedModel, TimestampedModel):
    Status = RegisteredModelStatus
    name_in_use = "model name already in use"

    name = NameField(
        max_length=255,
        db_index=True,
        error_messages={"blank": MODEL_REQUIRED, "null": MODEL_REQUIRED},
    )
    engine = models.ForeignKey(
        Engine,
        on_delete=models.PROTECT,
        related_name="registered_models",
        error_messages={
            "blank": MODEL_REQUIRED,
            "null": MODEL_REQUIRED,
            "invalid": "engine_id does not exist",
        },
    )
    available_model = models.ForeignKey(
        AvailableModel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_models",
        error_messages={"invalid": "available_model_id does not exist"},
    )
    model_path = models.CharField(max_length=1024, blank=True)
    vram_required_mb = _megabytes("vram_required_mb")
    ram_required_mb = _megabytes("ram_required_mb")
    is_downloaded = FlagField(default=False)
    remote_url = remote_url_field()
    version = StrippedCharField(max_length=100, blank=True)
    capabilities = CapabilitiesField()
    extra_config = json_field("extra_config")
    status = models.CharField(
        max_length=20,
        choices=RegisteredModelStatus.choices,
        default=RegisteredModelStatus.AVAILABLE,
        error_messages={"invalid_choice": invalid_choice_message("status", RegisteredModelStatus)},
    )

    #: Set to True by a caller that confirms changing the ``dim`` or capabilities of the
    #: model selected as the knowledge embedding backend while knowledge is enabled.
    confirm_embedding_model_change: bool = False

    class Meta:
        db_table = "model_registry"
        ordering = ["id"]
        verbose_name = "registered model"
        constraints = [
            status_constraint("model_registry", RegisteredModelStatus),
            unique_name_constraint("model_registry"),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["is_downloaded"]),
            models.Index(fields=["engine", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def capability_list(self) -> list[str]:
        return caps.parse_stored(self.capabilities)

    @property
    def runtime_methods(self) -> list[str]:
        return caps.runtime_methods(self.capabilities)

    def delete_refusal(self, error: Exception) -> str:
        return (
            f"model {self.name!r} is the knowledge embedding model and cannot be deleted; "
            "select another embedding model or clear the selection first"
        )

    def clean(self) -> None:
        errors = extra_config_errors(self.extra_config, self.capabilities)
        if not errors:
            errors = self._knowledge_backend_errors()
        if errors:
            raise ValidationError(errors)

    def _knowledge_backend_errors(self) -> dict[str, list[str]]:
        """Rules for the model selected as the knowledge embedding backend."""
        from .knowledge import KnowledgeSettings

        if self.pk is None:
            return {}
        settings = KnowledgeSettings.objects.filter(embedding_model_id=self.pk).first()
        if settings is None:
            return {}
        tokens = capabilities_under_validation(self.capabilities) or []
        dim = extra_config.valid_dim(self.extra_config)
        if "embedding" not in tokens or dim is None:
            return {
                "extra_config" if "embedding" in tokens else "capabilities": [
                    "this model is the knowledge embedding backend: it must keep the embedding "
                    "capability and a positive integer extra_config.dim"
                ]
            }
        if not settings.enabled or self.confirm_embedding_model_change:
            return {}
        stored = RegisteredModel.objects.filter(pk=self.pk).values("capabilities", "extra_config")
        before = stored.first()
        if before is None:
            return {}
        changed = [
            label
            for label, old, new in (
                ("extra_config.dim", extra_config.valid_dim(before["extra_config"]), dim),
                ("capabilities", caps.parse_stored(before["capabilities"]), tokens),
            )
            if old != new
        ]
        if not changed:
            return {}
        field = "extra_config" if changed[0] == "extra_config.dim" else "capabilities"
        return {
            field: [
                f"changing {' and '.join(changed)} of the knowledge embedding model while "
                "knowledge is enabled must be confirmed with confirm_embedding_model_change "
                "(stored vectors would no longer match)"
            ]
        }
