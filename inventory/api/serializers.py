"""DRF serializers generated from the list declarations: rows out, payloads in.

The row serializer of an entity has one DRF field per declared field, typed from the model
field behind it (bounds, choices, nullability), so drf-spectacular describes rows by
introspection. The payload serializers add no rule of their own: ``to_internal_value`` hands
the body to ``inventory.services``, where the model's ``full_clean()`` decides and reports
errors in the API's ``{"detail", "errors"}`` shape, exactly as the SDK does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.core import validators
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.declarations import DECLARATIONS
from inventory.listing import Field, ListDeclaration, as_flag, iso_datetime
from inventory.models.fields import CapabilitiesField, CsvListField
from inventory.services import KNOWLEDGE_KEYS


def component_prefix(sdk_name: str) -> str:
    """``model_registry`` -> ``ModelRegistry``."""
    return "".join(part.capitalize() for part in sdk_name.split("_"))


# --- field types ---------------------------------------------------------------------------


@extend_schema_field({})
class JSONObjectField(serializers.JSONField):
    """A JSON object of any keys. Described without a type, so that generated clients take and
    return a plain dict (the model checks that it is an object, naming the field)."""


@extend_schema_field({"type": "array", "items": {}})
class JSONListField(serializers.JSONField):
    """A JSON list of any values."""


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "A comma-separated string or a list of strings.",
    }
)
class TokenListField(serializers.JSONField):
    """Capabilities, tags, interfaces…: a CSV string or a list (the model normalizes it)."""


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 1})
class FlagOutField(serializers.IntegerField):
    """A flag as rows carry it: ``1`` or ``0``."""


def _bounds(field: models.Field) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator):
            bounds["min_value"] = validator.limit_value
        elif isinstance(validator, validators.MaxValueValidator):
            bounds["max_value"] = validator.limit_value
    return bounds


def drf_field(
    model_field: models.Field, item: Field, *, payload: bool, **options: Any
) -> serializers.Field:
    """The DRF field describing one declared field, from the model field behind it.

    ``options`` (``required``, ``read_only``) go to the constructor: DRF copies declared
    fields by their constructor arguments."""
    options["help_text"] = item.label
    if model_field.null:
        options["allow_null"] = True
    if isinstance(model_field, CapabilitiesField | CsvListField):
        if payload:
            return TokenListField(**options)
        return serializers.CharField(allow_blank=True, **options)
    if isinstance(model_field, models.JSONField):
        is_list = model_field.get_default() == []
        return (JSONListField if is_list else JSONObjectField)(**options)
    if isinstance(model_field, models.BooleanField):
        if item.serialize is as_flag and not payload:
            return FlagOutField(**options)
        return serializers.BooleanField(**options)
    if isinstance(model_field, models.ForeignKey | models.IntegerField | models.AutoField):
        return serializers.IntegerField(**options, **_bounds(model_field))
    if isinstance(model_field, models.DateTimeField) or item.serialize is iso_datetime:
        return serializers.DateTimeField(**options)
    if model_field.choices:
        return serializers.ChoiceField(
            choices=model_field.flatchoices, allow_blank=model_field.blank, **options
        )
    max_length = getattr(model_field, "max_length", None)
    if max_length:
        options["max_length"] = max_length
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **options)


def _model_field(declaration: ListDeclaration, item: Field) -> models.Field:
    return declaration.model_field(item)


#: DRF fields of derived (computed, never stored) row keys by declared type; lists otherwise.
DERIVED_FIELDS: dict[str, type[serializers.Field]] = {
    "boolean": serializers.BooleanField,
    "integer": serializers.IntegerField,
    "string": serializers.CharField,
}


def _row_field(declaration: ListDeclaration, item: Field) -> serializers.Field:
    if item.source is None:
        derived = DERIVED_FIELDS.get(item.type)
        if derived is not None:
            return derived(help_text=item.label, read_only=True)
        return serializers.ListField(
            child=serializers.CharField(), help_text=item.label, read_only=True
        )
    model_field = _model_field(declaration, item)
    if item.writable:
        return drf_field(model_field, item, payload=False, required=True)
    return drf_field(model_field, item, payload=False, read_only=True)


def required_payload_keys(declaration: ListDeclaration) -> list[str]:
    """Writable keys whose model field has neither a default nor may be blank."""
    return [
        item.name
        for item in declaration.writable_fields
        if not _model_field(declaration, item).blank
        and not _model_field(declaration, item).has_default()
    ]


# --- serializers ---------------------------------------------------------------------------


class RowSerializer(serializers.Serializer):
    """A row exactly as the SDK returns it (rows are built by the declaration)."""

    declaration: ListDeclaration

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, models.Model):
            return self.declaration.row_for(instance)
        return dict(instance)


class PayloadSerializer(serializers.Serializer):
    """A request body; the service validates it (unknown keys included), nothing here does.

    Read-only row keys are accepted and ignored, as in the SDK, and so are described here.
    """

    def to_internal_value(self, data: Any) -> Any:
        return data


@cache
def row_serializer(sdk_name: str) -> type[RowSerializer]:
    declaration = DECLARATIONS[sdk_name]
    fields = {item.name: _row_field(declaration, item) for item in declaration.fields}
    name = f"{component_prefix(sdk_name)}Row"
    return type(name, (RowSerializer,), {**fields, "declaration": declaration})


@cache
def payload_serializer(sdk_name: str, *, full: bool) -> type[PayloadSerializer]:
    """The create/replace body (``full``: required keys required) or the patch body."""
    declaration = DECLARATIONS[sdk_name]
    required = set(required_payload_keys(declaration)) if full else set()
    fields: dict[str, serializers.Field] = {}
    for item in declaration.writable_fields:
        fields[item.name] = drf_field(
            _model_field(declaration, item), item, payload=True, required=item.name in required
        )
    suffix = "Create" if full else "Patch"
    return type(f"{component_prefix(sdk_name)}{suffix}", (PayloadSerializer,), fields)


# --- knowledge settings and capabilities ----------------------------------------------------


def nullable_row(sdk_name: str, help_text: str) -> serializers.Field:
    """A row or ``null``; typed as an object beside the reference so that OpenAPI 3.0 linters
    accept ``nullable``."""
    name = row_serializer(sdk_name).__name__
    schema = {
        "type": "object",
        "nullable": True,
        "allOf": [{"$ref": f"#/components/schemas/{name}"}],
        "description": help_text,
    }
    return extend_schema_field(schema)(serializers.DictField(allow_null=True))


def _knowledge_field(key: str, *, payload: bool) -> serializers.Field:
    from inventory.models import KnowledgeSettings

    model_field = KnowledgeSettings._meta.get_field(key.removesuffix("_id"))
    item = Field(key, "", str(model_field.verbose_name).capitalize())
    return drf_field(model_field, item, payload=payload, required=not payload)


def _knowledge_fields(*, payload: bool) -> dict[str, serializers.Field]:
    return {key: _knowledge_field(key, payload=payload) for key in KNOWLEDGE_KEYS}


KnowledgeConfigSerializer = type(
    "KnowledgeConfig",
    (serializers.Serializer,),
    {
        "__doc__": "The knowledge embedding backend settings, as ``knowledge.get_config()``.",
        **_knowledge_fields(payload=False),
        "embedding_model": nullable_row("model_registry", "The selected model's row."),
        "dim": serializers.IntegerField(
            allow_null=True, help_text="extra_config.dim of the selected model."
        ),
        "updated_at": serializers.DateTimeField(allow_null=True),
    },
)

KnowledgeConfigUpdateSerializer = type(
    "KnowledgeConfigUpdate",
    (PayloadSerializer,),
    {"__doc__": "Knowledge settings to change.", **_knowledge_fields(payload=True)},
)


class ErrorSerializer(serializers.Serializer):
    """Every error: the first message, and all messages by field (``__all__`` for messages
    that concern no single field)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta:
        ref_name = "Error"


class TableColumnSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    filterable = serializers.BooleanField()
    filter_type = serializers.CharField(allow_null=True)
    options = serializers.ListField(child=serializers.CharField(), allow_null=True)
    sortable = serializers.BooleanField()

    class Meta:
        ref_name = "TableColumn"


class FilterFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()

    class Meta:
        ref_name = "FilterField"


class CapabilitiesSerializer(serializers.Serializer):
    capabilities = serializers.ListField(child=serializers.CharField())
    aliases = serializers.DictField(child=serializers.CharField())
    runtime_methods = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())
    )
    extra_config_schemas = serializers.DictField(
        child=JSONObjectField(),
        help_text="JSON Schema of extra_config for a model with each capability.",
    )

    class Meta:
        ref_name = "Capabilities"
