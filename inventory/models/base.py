"""Shared pieces of the inventory models."""

from __future__ import annotations

from typing import Any

from django.db import models

from .. import capabilities as caps
from .. import extra_config


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def delete_refusal(self, error: Exception) -> str:
        """The message shown when a delete is refused because other rows depend on this one."""
        return f"{self._meta.verbose_name} {self} is still referenced and cannot be deleted"


def invalid_choice_message(field: str, choices: type[models.TextChoices]) -> str:
    return f"%(value)r is not a valid {field}; choose one of: {', '.join(choices.values)}"


def status_constraint(table: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(status__in=choices.values), name=f"{table}_status_valid"
    )


def json_object_errors(instance: models.Model, *fields: str) -> dict[str, list[str]]:
    """Errors for JSON fields that must hold an object (a dict)."""
    return {
        field: [f"{field} must be a JSON object"]
        for field in fields
        if not isinstance(getattr(instance, field), dict)
    }


def capabilities_under_validation(value: Any) -> list[str] | None:
    """Canonical capabilities of an instance being validated; ``None`` if they are invalid
    (the capabilities field reports that error itself)."""
    try:
        return caps.normalize_list(value)
    except (caps.UnknownCapabilityError, TypeError):
        return None


def extra_config_errors(config: Any, capabilities: Any) -> dict[str, list[str]]:
    """The capability-specific ``extra_config`` errors, keyed by field."""
    tokens = capabilities_under_validation(capabilities)
    if tokens is None:
        return (
            {}
            if isinstance(config, dict)
            else {"extra_config": ["extra_config must be a JSON object"]}
        )
    messages = extra_config.validate(config, tokens)
    return {"extra_config": messages} if messages else {}
