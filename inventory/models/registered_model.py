"""RegisteredModel: a model attached to an engine, the runtime side (table ``model_registry``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef

from .. import capabilities as caps
from .. import capacity, extra_config
from ..counts import CountedQuerySet
from . import batch
from .available_model import AvailableModel
from .base import (
    TimestampedModel,
    capabilities_under_validation,
    extra_config_errors,
    invalid_choice_message,
    status_constraint,
)
from .engine import Engine
from .fields import (
    CapabilitiesField,
    FlagField,
    StrippedCharField,
    json_field,
    megabytes_field,
    remote_url_field,
)
from .names import NamedModel, NameField, unique_name_constraint

MODEL_REQUIRED = "name and engine_id are required"
#: Annotation of a locked row: whether it is the knowledge embedding model.
KNOWLEDGE_SELECTED = "_knowledge_selected"


class RegisteredModelStatus(models.TextChoices):
    AVAILABLE = "available"
    ACTIVE = "active"
    DOWNLOADING = "downloading"
    ERROR = "error"
    DISABLED = "disabled"


class RegisteredModel(NamedModel, TimestampedModel):
    Status = RegisteredModelStatus
    name_in_use = "model name already in use"

    #: Counts read from the maintained summary where it covers the filters (``counts``).
    objects = CountedQuerySet.as_manager()

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
    vram_required_mb = megabytes_field("vram_required_mb")
    ram_required_mb = megabytes_field("ram_required_mb")
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
    #: Set to True by a caller that lets this write take the engine beyond its capacity.
    allow_over_capacity: bool = False

    class Meta:
        db_table = "model_registry"
        ordering = ["id"]
        verbose_name = "registered model"
        constraints = [
            status_constraint("model_registry", RegisteredModelStatus),
            unique_name_constraint("model_registry"),
        ]
        indexes = [
            # Counts by status, and by status and capability, read from the index alone on
            # PostgreSQL (the capability test needs the included column); keyset pages
            # filtered by status in the default order (id) are range scans of it.
            models.Index(
                fields=["status", "id"], include=["capabilities"], name="model_reg_status_caps_idx"
            ),
            models.Index(fields=["is_downloaded"]),
            # Also what an engine's active models need (capacity), read from the index alone
            # on PostgreSQL; other databases create it without the included columns.
            models.Index(
                fields=["engine", "status"],
                include=["vram_required_mb", "ram_required_mb"],
                name="model_reg_engine_need_idx",
            ),
            # Keyset pages filtered by engine in the default order: range scans.
            models.Index(fields=["engine", "id"], name="model_reg_engine_id_idx"),
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

    def stored(self, *names: str) -> dict[str, Any] | None:
        """The stored values of ``names`` (``None`` for a new row), known without a query when
        the row was loaded from the database (see ``StoredState``)."""
        if self.pk is None:
            return None
        loaded = self.__dict__.get("_history_state")  # as last written
        if loaded is None and "_stored_values" in self.__dict__:  # as loaded
            loaded = dict(zip(*self._stored_values, strict=True))
        loaded = loaded or {}
        if all(name in loaded for name in names):
            return {name: loaded[name] for name in names}
        return RegisteredModel.objects.filter(pk=self.pk).values(*names).first()

    def clean(self) -> None:
        self.extra_config = extra_config.normalized(self.extra_config)
        errors = extra_config_errors(self.extra_config, self.capabilities)
        if not errors:
            errors = self._knowledge_backend_errors()
        if not errors:
            errors = self._capacity_errors()
        if errors:
            raise ValidationError(errors)

    def _capacity_errors(self) -> dict[str, list[str]]:
        """Becoming active on an engine, moving to it or needing more there must fit the
        engine's declared capacity, unless ``allow_over_capacity``."""
        needs = [self.vram_required_mb, self.ram_required_mb]
        if (
            self.allow_over_capacity
            or self.status != RegisteredModelStatus.ACTIVE
            or not isinstance(self.engine_id, int)
            or not all(isinstance(value, int) for value in needs)
        ):
            return {}
        before = self.stored("status", "engine_id", "vram_required_mb", "ram_required_mb")
        if before and before["status"] == RegisteredModelStatus.ACTIVE:
            moved = before["engine_id"] != self.engine_id
            if (
                not moved
                and needs[0] <= before["vram_required_mb"]
                and needs[1] <= (before["ram_required_mb"])
            ):
                return {}
        current = batch.current()
        if current is not None and self.engine_id in current.engines:
            engine = current.engines[self.engine_id]
            used = current.committed.get(self.engine_id, [0, 0])
        else:
            engine = Engine.objects.filter(pk=self.engine_id).first()
            if engine is None:
                return {}
            used = capacity.committed([engine.pk], [self.pk] if self.pk else None)[engine.pk]
        messages = capacity.overcommit_messages(engine, used, needs)
        if not messages:
            return {}
        if before is None or before["engine_id"] != self.engine_id:
            field = "engine"
        elif before["status"] != RegisteredModelStatus.ACTIVE:
            field = "status"
        else:
            field = (
                "vram_required_mb" if needs[0] > before["vram_required_mb"] else "ram_required_mb"
            )
        return {field: messages}

    @classmethod
    def lock_context(cls) -> dict[str, Any]:
        """Read with the row when an edit locks it (``EntityService.lock_row``): whether it
        is the knowledge embedding model. A concurrent selection of it waits for the lock
        (``update_knowledge_config`` locks the model first)."""
        from .knowledge import KnowledgeSettings

        selecting = KnowledgeSettings.objects.filter(embedding_model_id=OuterRef("pk"))
        return {KNOWLEDGE_SELECTED: Exists(selecting)}

    def knowledge_settings(self) -> Any:
        """The knowledge settings when this row is their embedding model, else ``None``."""
        from .knowledge import KnowledgeSettings

        if self.__dict__.get(KNOWLEDGE_SELECTED) is False:  # read with the locked row
            return None
        current = batch.current()
        if current is not None:
            settings = current.knowledge
            return settings if settings and settings.embedding_model_id == self.pk else None
        return KnowledgeSettings.objects.filter(embedding_model_id=self.pk).first()

    def _knowledge_backend_errors(self) -> dict[str, list[str]]:
        """Rules for the model selected as the knowledge embedding backend."""
        if self.pk is None:
            return {}
        settings = self.knowledge_settings()
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
        before = self.stored("capabilities", "extra_config", "status")
        if before is None:
            return {}
        if self.status != before["status"] and self.status != RegisteredModelStatus.ACTIVE:
            return {
                "status": [
                    f"setting the knowledge embedding model to {self.status!r} while knowledge "
                    "is enabled must be confirmed with confirm_embedding_model_change (knowledge "
                    "would run on a model taken out of service); or select another embedding "
                    "model first"
                ]
            }
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
