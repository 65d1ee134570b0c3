"""AvailableModel: the catalog side, what could be installed (``available_model_registry``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .. import capabilities as caps
from .. import extra_config
from ..vocabularies import PROVIDER
from . import shared_checks
from .base import (
    TimestampedModel,
    extra_config_errors,
    invalid_choice_message,
    json_object_errors,
    status_constraint,
)
from .fields import (
    BoundedTextField,
    CapabilitiesField,
    CsvListField,
    ExtendedCapabilitiesField,
    StrippedCharField,
    VocabularyField,
    json_field,
    json_shape_message,
    megabyte_errors,
    remote_url_field,
)
from .names import NamedModel, NameField, unique_name_constraint

CATALOG_REQUIRED = "name and label are required"
REQUIREMENT_KEYS = ("vram_mb", "ram_mb")


def _requirement_errors(field: models.Field, key: str, value: Any) -> list[str]:
    """``megabyte_errors`` of ``requirements.<key>`` (of the ``requirements`` ``field``), once
    per distinct value in a batch."""
    name = f"requirements.{key}"
    return shared_checks.once(name, field, value, megabyte_errors, name, value)


class SourceKind(models.TextChoices):
    MANUAL = "manual"
    CATALOG = "catalog"
    HUGGINGFACE = "huggingface"
    PROVIDER_API = "provider_api"
    REGISTERED = "registered"
    UPLOAD = "upload"
    URL = "url"


class AvailableModelStatus(models.TextChoices):
    AVAILABLE = "available"
    DOWNLOADING = "downloading"
    IMPORTING = "importing"
    FAILED = "failed"


class AvailableModel(NamedModel, TimestampedModel):
    SourceKind = SourceKind
    Status = AvailableModelStatus
    name_in_use = "available model name already in use"

    name = NameField(
        max_length=255,
        db_index=True,
        error_messages={"blank": CATALOG_REQUIRED, "null": CATALOG_REQUIRED},
    )
    label = StrippedCharField(max_length=255, blank=True, help_text="Defaults to the name.")
    catalog_model_id = StrippedCharField(max_length=255, blank=True)
    source_kind = models.CharField(
        max_length=20,
        choices=SourceKind.choices,
        default=SourceKind.MANUAL,
        error_messages={"invalid_choice": invalid_choice_message("source_kind", SourceKind)},
    )
    provider_hint = VocabularyField(
        vocabulary="provider",
        max_length=100,
        blank=True,
        help_text="Provider this model is meant for, if any (from the provider vocabulary).",
    )
    format = VocabularyField(
        vocabulary="format",
        max_length=64,
        default="",
        blank=True,
        help_text="Artifact format from the format vocabulary (gguf, safetensors, pt, mlx…).",
    )
    quantization = StrippedCharField(
        max_length=64,
        blank=True,
        help_text="Quantization as the source names it (Q4_K_M, int4, fp8, awq…); free text, "
        "trimmed, white space collapsed.",
    )
    family = StrippedCharField(max_length=100, blank=True)
    summary = BoundedTextField(max_length=2000, blank=True)
    storage_ref = models.CharField(max_length=1024, blank=True)
    remote_url = remote_url_field()
    version = StrippedCharField(max_length=100, blank=True)
    capabilities = CapabilitiesField()
    extended_capabilities = ExtendedCapabilitiesField(
        help_text="Features from the extended capability vocabulary (pdf_input, web_search…)."
    )
    interfaces = CsvListField()
    tags = CsvListField()
    requirements = json_field("requirements", max_bytes=2048)
    artifacts = json_field("artifacts", list, max_bytes=16384)
    metadata = json_field("metadata")
    source_payload = json_field("source_payload", max_bytes=16384)
    extra_config = json_field("extra_config")
    status = models.CharField(
        max_length=20,
        choices=AvailableModelStatus.choices,
        default=AvailableModelStatus.AVAILABLE,
        error_messages={"invalid_choice": invalid_choice_message("status", AvailableModelStatus)},
    )

    class Meta:
        db_table = "available_model_registry"
        ordering = ["id"]
        verbose_name = "catalog model"
        constraints = [
            status_constraint("available_model_registry", AvailableModelStatus),
            unique_name_constraint("available_model_registry"),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["source_kind"]),
            models.Index(fields=["format"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude: Any = None) -> None:
        """Each capability token goes to the list of its vocabulary first (a feature named
        among capabilities is an extended capability, and the other way round)."""
        given = (self.capabilities, self.extended_capabilities)
        if given[0].__class__ is str and given[1].__class__ is str:  # the same outcome each time
            routed = shared_checks.outcome(("route", *given), caps.route, *given)
        else:
            routed = caps.route(*given)
        self.capabilities, self.extended_capabilities = routed
        if isinstance(self.quantization, str):
            self.quantization = " ".join(self.quantization.split())
        super().clean_fields(exclude)

    def clean(self) -> None:
        if not self.label and self.name:
            self.label = self.name
        errors = json_object_errors(self, "requirements", "metadata", "source_payload")
        if not isinstance(self.artifacts, list):
            errors["artifacts"] = [json_shape_message("artifacts", list)]
        if isinstance(self.requirements, dict):
            field = self._meta.get_field("requirements")
            bad = [
                message
                for key in REQUIREMENT_KEYS
                if key in self.requirements
                for message in _requirement_errors(field, key, self.requirements[key])
            ]
            if bad:
                errors["requirements"] = bad
        self.extra_config = extra_config.normalized(self.extra_config)
        errors.update(extra_config_errors(self.extra_config, self.capabilities))
        if errors:
            raise ValidationError(errors)

    @property
    def capability_list(self) -> list[str]:
        return caps.parse_stored(self.capabilities)

    def provider_restrictions(self) -> dict[str, list[str]]:
        """The providers each restricting field admits: ``provider_hint`` (one provider) and
        ``source_payload.compatible_engines`` (a list or CSV of providers). Empty: any."""
        restrictions: dict[str, list[str]] = {}
        if self.provider_hint:
            restrictions["provider_hint"] = [self.provider_hint.strip().lower()]
        payload = self.source_payload if isinstance(self.source_payload, dict) else {}
        compatible = payload.get("compatible_engines")
        if isinstance(compatible, str):
            compatible = compatible.split(",")
        if isinstance(compatible, list):
            names = [PROVIDER.canonical(str(item)) for item in compatible if str(item).strip()]
            if names:
                restrictions["source_payload.compatible_engines"] = names
        return restrictions

    def admits_provider(self, provider: str) -> bool:
        """Whether an engine of ``provider`` may run this model: every restriction admits it."""
        wanted = PROVIDER.canonical(provider or "")
        return all(wanted in names for names in self.provider_restrictions().values())
