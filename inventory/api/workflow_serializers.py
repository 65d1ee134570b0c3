"""Serializers of the workflow endpoints' request bodies and results (those of
``module_sdk.workflows``), from which drf-spectacular derives their OpenAPI schema.

They describe; they do not validate. A request serializer's fields, in order, are the keys its
endpoint takes (``allowed_keys``/``required_keys``: the views refuse any other key with the
usual "unknown field" message), and the values are checked by the workflows themselves, as in
the SDK. Every shape here is closed (``additionalProperties: false``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.workflows import transfer

from .serializers import row_serializer

ALLOW_PARAM = "allow_over_capacity"
MOVE_UNKNOWN_PARAM = "move_unknown_capabilities"
SECTION_NAMES = [*transfer.SECTION_KEYS, transfer.KNOWLEDGE]


def allowed_keys(shape: type[serializers.Serializer]) -> tuple[str, ...]:
    """The keys a request body may have: the serializer's fields, in order."""
    return tuple(shape().fields)


def required_keys(shape: type[serializers.Serializer]) -> tuple[str, ...]:
    return tuple(name for name, field in shape().fields.items() if field.required)


class ClosedSerializer(serializers.Serializer):
    # No docstring: drf-spectacular would publish it as the description of every subclass.
    pass


class ClosedSerializerSchema(OpenApiSerializerExtension):
    """Every workflow shape admits no other key: ``additionalProperties: false``."""

    target_class = ClosedSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False}


# --- fields ---------------------------------------------------------------------------------


def flag(description: str) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False, help_text=description)


def confirm_flag() -> serializers.BooleanField:
    return flag(
        "Confirm changing the knowledge embedding model's extra_config.dim or capabilities "
        "while knowledge is enabled."
    )


def allow_flag() -> serializers.BooleanField:
    return flag("Allow going beyond the engine's vram_total_mb / ram_total_mb.")


def strings(**options: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), **options)


def model_row() -> serializers.Serializer:
    return row_serializer("model_registry")()


@extend_schema_field({"description": "Any JSON value."})
class AnyValueField(serializers.JSONField):
    """Any JSON value (a name as the file gave it, a registered or catalog value)."""


@extend_schema_field(
    {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
)
class StringsOrCsvField(serializers.JSONField):
    """A list of strings or one comma-separated string."""


@extend_schema_field(
    {"oneOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}]}
)
class IdsOrCsvField(serializers.JSONField):
    """A list of ids or one comma-separated string."""


def choice(choices: Any, **options: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=list(choices), **options)


# --- bind and deactivate --------------------------------------------------------------------


class BindSerializer(ClosedSerializer):
    engine_id = serializers.IntegerField()
    available_model_id = serializers.IntegerField()
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Name of a new row; default engine_<engine id>__<catalog name>.",
    )
    extra_config = serializers.DictField(
        required=False, help_text="Merged over the catalog defaults and the existing row."
    )
    confirm_embedding_model_change = confirm_flag()
    allow_over_capacity = allow_flag()


class BindResultSerializer(ClosedSerializer):
    created = serializers.BooleanField()
    row = model_row()


class DeactivateSerializer(ClosedSerializer):
    confirm_embedding_model_change = confirm_flag()


# --- reconcile --------------------------------------------------------------------------------


class ReconcileDifferenceSerializer(ClosedSerializer):
    field = serializers.CharField(
        help_text="A row field, or extra_config.<key> for a catalog default."
    )
    registered = AnyValueField()
    catalog = AnyValueField()


class ReconcileSerializer(ClosedSerializer):
    """The differences between a registered model and its catalog model."""

    model_id = serializers.IntegerField()
    name = serializers.CharField()
    engine_id = serializers.IntegerField()
    engine = serializers.CharField()
    available_model_id = serializers.IntegerField()
    catalog_name = serializers.CharField()
    in_sync = serializers.BooleanField()
    differences = ReconcileDifferenceSerializer(many=True)


class ApplyReconcileSerializer(ClosedSerializer):
    fields = StringsOrCsvField(
        required=False,
        help_text="The differing fields to apply (a list or a comma-separated string); all "
        "of them when omitted.",
    )
    confirm_embedding_model_change = confirm_flag()
    allow_over_capacity = allow_flag()


class ApplyReconcileResultSerializer(ClosedSerializer):
    applied = strings()
    reconcile = ReconcileSerializer()
    row = model_row()


# --- stale rows -------------------------------------------------------------------------------


class StaleRowSerializer(ClosedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    engine_id = serializers.IntegerField()
    engine = serializers.CharField()
    status = serializers.CharField()
    reasons = strings()


class KeptStaleRowSerializer(StaleRowSerializer):
    kept_because = serializers.CharField()


def notes() -> serializers.ListField:
    return strings(help_text="What pruning does and does not touch.")


class StaleReportSerializer(ClosedSerializer):
    rows = StaleRowSerializer(many=True)
    kept = KeptStaleRowSerializer(many=True, help_text="Stale-looking rows that are never pruned.")
    notes = notes()


class PruneStaleSerializer(ClosedSerializer):
    ids = IdsOrCsvField(help_text="The ids listed by GET (a list or a comma-separated string).")
    confirm = flag("Delete; without it, only report.")


class PruneStaleResultSerializer(ClosedSerializer):
    confirmed = serializers.BooleanField()
    deleted = StaleRowSerializer(many=True)
    would_delete = StaleRowSerializer(many=True)
    missing = serializers.ListField(
        child=serializers.IntegerField(), help_text="Listed ids that no longer exist."
    )
    notes = notes()


# --- import and export ------------------------------------------------------------------------


class ImportOptionsSerializer(ClosedSerializer):
    format = choice(transfer.FORMATS, required=False)
    apply = flag("Write the changes; without it, a dry run.")
    mode = choice(
        transfer.MODES,
        required=False,
        default="all",
        help_text="all: with apply, write everything or nothing (a refused row refuses the "
        "import); partial: write the valid rows and report the refused ones (a row naming a "
        "refused row is refused too).",
    )
    move_unknown_capabilities = flag(
        "Move catalog capability tokens outside the vocabulary into extended_capabilities "
        "instead of refusing the row (reported per row as moved_capabilities)."
    )
    confirm_embedding_model_change = confirm_flag()
    allow_over_capacity = allow_flag()


class ImportTextSerializer(ImportOptionsSerializer):
    text = serializers.CharField(allow_blank=True, help_text="The file's content.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"text": fields.pop("text"), **fields}


class ImportUploadSerializer(ImportOptionsSerializer):
    file = serializers.FileField(help_text="Its extension gives the format unless format is given.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {"file": fields.pop("file"), **fields}


class ImportRefusalGroupSerializer(ClosedSerializer):
    section = choice(SECTION_NAMES)
    field = serializers.CharField()
    cause = serializers.CharField()
    count = serializers.IntegerField(min_value=1)


ImportActionCountsSerializer = type(
    "ImportActionCountsSerializer",
    (ClosedSerializer,),
    {
        **{action: serializers.IntegerField(min_value=0) for action in transfer.ACTIONS},
    },
)


class ImportChangeSerializer(ClosedSerializer):
    before = AnyValueField()
    after = AnyValueField()


class ImportRowSerializer(ClosedSerializer):
    section = choice(SECTION_NAMES)
    row = serializers.IntegerField(min_value=1)
    name = AnyValueField()
    action = choice(transfer.ACTIONS)
    moved_capabilities = strings(
        required=False, help_text="Tokens moved into extended_capabilities."
    )
    changes = serializers.DictField(
        child=ImportChangeSerializer(),
        required=False,
        help_text="For an updated row, each changed key with its stored value and the new one "
        "(references by name, credentials masked, a value longer than "
        f"{transfer.SHOWN_CHARS} characters cut with …).",
    )


class ImportErrorSerializer(ClosedSerializer):
    section = choice(SECTION_NAMES)
    row = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        help_text="null for an error about the whole import (an engine taken beyond its "
        "capacity), which refuses it in any mode.",
    )
    name = AnyValueField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(ClosedSerializer):
    """Per row, in file order: what was (or, in a dry run, would be) done."""

    applied = serializers.BooleanField()
    mode = choice(transfer.MODES)
    ok = serializers.BooleanField(help_text="No row was refused.")
    refused_rows = serializers.IntegerField(min_value=0)
    error_count = serializers.IntegerField(min_value=0)
    refusal_groups = ImportRefusalGroupSerializer(
        many=True,
        help_text="Errors counted by section, field and cause (the message with its values "
        "replaced by …), most frequent first.",
    )
    counts = serializers.DictField(
        child=ImportActionCountsSerializer(),
        help_text="Per section: how many rows each action concerns.",
    )
    rows = ImportRowSerializer(many=True)
    errors = ImportErrorSerializer(many=True)


class ImportRefusedSerializer(ClosedSerializer):
    """The first message and the messages by field; for a refused apply, also the report
    (nothing was written)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=strings())
    report = ImportReportSerializer(required=False)


class KnowledgeExportSerializer(ClosedSerializer):
    enabled = serializers.BooleanField()
    embedding_model = serializers.CharField(allow_null=True)


def export_fields() -> dict[str, serializers.Field]:
    sections = {
        key: serializers.ListField(child=serializers.DictField()) for key in transfer.SECTION_KEYS
    }
    return {
        "format": choice([transfer.FORMAT_NAME]),
        "version": choice([transfer.FORMAT_VERSION]),
        **sections,
        transfer.KNOWLEDGE: KnowledgeExportSerializer(),
    }


InventoryExportSerializer = type(
    "InventoryExportSerializer",
    (ClosedSerializer,),
    {
        "__doc__": "The whole inventory; rows refer to each other by name.",
        **export_fields(),
    },
)
