"""KnowledgeSettings: the one row of knowledge runtime settings (``knowledge_runtime_config``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .. import capabilities as caps
from .. import extra_config
from .base import StoredState
from .fields import FlagField
from .registered_model import RegisteredModel

#: Statuses a model needs to be chosen as the knowledge embedding model (selected, or
#: knowledge enabled with it). Once chosen, the model may take any status its own rules allow
#: (taking it out of service while knowledge is enabled needs confirmation, see
#: ``RegisteredModel``), and the settings stay valid with it: saving them again unchanged is
#: accepted.
BACKEND_STATUSES = (RegisteredModel.Status.AVAILABLE, RegisteredModel.Status.ACTIVE)


def backend_status_error(name: str, status: str, *, choosing: bool) -> str | None:
    """The status rule of the knowledge embedding model: checked when it is chosen (the model
    or ``enabled`` changes), never when the unchanged settings are saved again."""
    if choosing and status not in BACKEND_STATUSES:
        return (
            f"model {name!r} has status {status!r}; the knowledge embedding model must be "
            "available or active"
        )
    return None

class KnowledgeSettings(StoredState):
    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    enabled = FlagField(default=False)
    embedding_model = models.ForeignKey(
        RegisteredModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        error_messages={"invalid": "embedding_model_id does not exist"},
    )
    updated_at = models.DateTimeField(auto_now=True)

    #: Set to True by a caller that confirms switching the embedding model while enabled.
    confirm_embedding_model_change: bool = False

    class Meta:
        db_table = "knowledge_runtime_config"
        verbose_name = "knowledge settings"
        verbose_name_plural = "knowledge settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="knowledge_runtime_config_singleton"
            ),
        ]

    def __str__(self) -> str:
        return "Knowledge settings"

    @classmethod
    def selected_model_id(cls) -> int | None:
        """The id of the knowledge embedding model (whether or not knowledge is enabled)."""
        return (
            cls.objects.filter(pk=cls.SINGLETON_ID)
            .values_list("embedding_model_id", flat=True)
            .first()
        )

    @classmethod
    def load(cls) -> KnowledgeSettings:
        settings, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return settings

    def clean(self) -> None:
        messages = self._embedding_model_errors()
        if messages:
            raise ValidationError({"embedding_model": messages})

    def _embedding_model_errors(self) -> list[str]:
        if self.embedding_model_id is None:
            if self.enabled:
                return ["enabling knowledge requires an embedding model (embedding_model_id)"]
            return []
        try:
            model = RegisteredModel.objects.filter(pk=self.embedding_model_id).first()
        except (TypeError, ValueError):
            model = None  # a malformed id: the field check reports it
        if model is None:
            return []  # the foreign key check reports "embedding_model_id does not exist"
        errors: list[str] = []
        if "embedding" not in caps.parse_stored(model.capabilities):
            errors.append(f"model {model.name!r} does not have the embedding capability")
        elif extra_config.valid_dim(model.extra_config) is None:
            errors.append(
                f"model {model.name!r} needs extra_config.dim (a positive integer) to be the "
                "knowledge embedding model"
            )
        before = self._stored()
        choosing = not (
            before and before["enabled"] and before["embedding_model_id"] == model.pk
        )
        status_error = backend_status_error(model.name, model.status, choosing=choosing)
        if self.enabled and status_error:
            errors.append(status_error)
        if not errors and self._needs_confirmation(before):
            errors.append(
                "changing the embedding model while knowledge is enabled must be confirmed with "
                "confirm_embedding_model_change (stored vectors would no longer match)"
            )
        return errors

    def _stored(self) -> dict[str, Any] | None:
        return (
            KnowledgeSettings.objects.filter(pk=self.pk)
            .values("enabled", "embedding_model_id")
            .first()
        )

    def _needs_confirmation(self, before: dict[str, Any] | None) -> bool:
        if not self.enabled or self.confirm_embedding_model_change:
            return False
        return bool(
            before
            and before["enabled"]
            and before["embedding_model_id"] is not None
            and before["embedding_model_id"] != self.embedding_model_id
        )
