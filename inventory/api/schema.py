"""OpenAPI descriptions generated from the list declarations and the model fields.

Rows, payloads, list parameters and the list envelope are described from the same
declaration the SDK lists with, so the published schema cannot drift from the rows the API
returns. Components are added to the document by ``add_components`` (a drf-spectacular
post-processing hook); operations refer to them with ``ref``.
"""

from __future__ import annotations

from typing import Any

from django.core import validators
from django.db import models
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter

from inventory.declarations import DECLARATIONS
from inventory.listing import (
    DEFAULT_PAGE_SIZE,
    DIRECTIONS,
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    SEARCH_KEY,
    ExactTextFilter,
    Field,
    FilterKind,
    ListDeclaration,
    VocabularyChoiceFilter,
    VocabularyTextFilter,
    as_flag,
    iso_datetime,
)
from inventory.models.fields import CapabilitiesField, CsvListField

PAGING_PARAMS = ("page", "page_size", "sort", "direction")
CONFIRM_PARAM = "confirm_embedding_model_change"
ERROR = "Error"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def component_prefix(sdk_name: str) -> str:
    """``model_registry`` -> ``ModelRegistry``."""
    return "".join(part.capitalize() for part in sdk_name.split("_"))


# --- field schemas -------------------------------------------------------------------------


def _model_field(declaration: ListDeclaration, item: Field) -> models.Field:
    return declaration.model_field(item)


def _bounds(field: models.Field) -> Schema:
    bounds: Schema = {}
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator):
            bounds["minimum"] = validator.limit_value
        elif isinstance(validator, validators.MaxValueValidator):
            bounds["maximum"] = validator.limit_value
        elif isinstance(validator, validators.MaxLengthValidator):
            bounds["maxLength"] = validator.limit_value
    return bounds


def _stored_schema(field: models.Field) -> Schema:
    """The JSON type a model field's value has in rows."""
    if isinstance(field, models.JSONField):
        return {"type": "array" if field.get_default() == [] else "object"}
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, models.ForeignKey | models.IntegerField | models.AutoField):
        return {"type": "integer", **_bounds(field)}
    schema: Schema = {"type": "string", **_bounds(field)}
    if field.choices:
        schema["enum"] = [value for value, _ in field.flatchoices]
    return schema


#: JSON types of derived (computed, never stored) row keys by declared type.
DERIVED_TYPES: dict[str, Schema] = {"boolean": {"type": "boolean"}, "integer": {"type": "integer"}}


def row_property(declaration: ListDeclaration, item: Field) -> Schema:
    """The schema of one key of a row."""
    if item.source is None:
        schema: Schema = DERIVED_TYPES.get(
            item.type, {"type": "array", "items": {"type": "string"}}
        )
    else:
        field = _model_field(declaration, item)
        if item.serialize is as_flag:
            schema = {"type": "integer", "enum": [0, 1]}
        elif item.serialize is iso_datetime:
            schema = {"type": "string", "format": "date-time"}
        else:
            schema = _stored_schema(field)
        if field.null:
            schema["nullable"] = True
    schema["description"] = item.label
    if not item.writable:
        schema["readOnly"] = True
    return schema


def payload_property(declaration: ListDeclaration, item: Field) -> Schema:
    """The schema of one writable payload key (what the model field accepts)."""
    field = _model_field(declaration, item)
    if isinstance(field, CapabilitiesField | CsvListField):
        items = {"type": "string"}
        schema: Schema = {
            "oneOf": [{"type": "string"}, {"type": "array", "items": items}],
            "description": f"{item.label}: a comma-separated string or a list of strings.",
        }
    elif isinstance(field, models.BooleanField):
        schema = {
            "oneOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]}],
            "description": f"{item.label}: true/false or 1/0.",
        }
    else:
        schema = {**_stored_schema(field), "description": item.label}
    if field.null:
        schema["nullable"] = True
    return schema


def required_payload_keys(declaration: ListDeclaration) -> list[str]:
    """Writable keys whose model field has neither a default nor may be blank."""
    required = []
    for item in declaration.writable_fields:
        field = _model_field(declaration, item)
        if not field.blank and not field.has_default():
            required.append(item.name)
    return required


def row_schema(declaration: ListDeclaration) -> Schema:
    properties = {item.name: row_property(declaration, item) for item in declaration.fields}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def payload_schema(declaration: ListDeclaration, *, full: bool) -> Schema:
    """Request body: writable keys; read-only row keys are accepted and ignored."""
    properties = {
        item.name: payload_property(declaration, item) for item in declaration.writable_fields
    }
    for item in declaration.fields:
        if not item.writable:
            properties[item.name] = {**row_property(declaration, item), "readOnly": True}
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    required = required_payload_keys(declaration)
    if full and required:
        schema["required"] = required
    return schema


# --- list parameters and the envelope ------------------------------------------------------


VOCABULARY_HELP = (
    "A term of a governed vocabulary, aliases accepted; administrators may add terms, so the "
    "live list is served by GET /api/v1/capabilities/ (vocabularies)."
)


def _kind_item_schema(kind: FilterKind, options: tuple[str, ...] | None) -> Schema:
    if kind.type == "integer":
        return {"type": "integer"}
    if kind.type == "capabilities":
        return {"type": "string", "description": VOCABULARY_HELP}
    if isinstance(kind, VocabularyChoiceFilter):
        return {"type": "string", "description": VOCABULARY_HELP}
    if kind.type == "choice":
        return {"type": "string", "enum": list(getattr(kind, "options", options or ()))}
    if kind.type == "boolean":
        return {"type": "boolean"}
    return {"type": "string"}


def _filters(declaration: ListDeclaration) -> list[tuple[str, FilterKind, str]]:
    found = [(entry.key, entry.kind, entry.label) for entry in declaration.declared_filters()]
    found.append((SEARCH_KEY, declaration.search, declaration.search_label))
    return found


REPEATABLE = ("integer", "choice", "capabilities", "tokens")

FILTER_HELP = {
    "integer": "Exact id; repeat the parameter (or give a comma-separated list) for any of "
    "several.",
    "choice": "Exact value; repeat the parameter (or give a comma-separated list) for any of "
    "several.",
    "capabilities": "Whole capability tokens (aliases accepted); repeat the parameter or give a "
    "comma-separated list to require all of them.",
    "tokens": "Whole tokens; repeat the parameter or give a comma-separated list to require "
    "all of them.",
    "boolean": "true/false (also 1/0).",
    "string": "Case-insensitive substring.",
    "exact": "The whole value, case-insensitive.",
    "search": "Case-insensitive substring over several columns.",
}


def list_parameters(declaration: ListDeclaration) -> list[OpenApiParameter]:
    """Query parameters of a list operation: paging, sorting and every declared filter."""
    sort_values = [value for name in declaration.sort_fields for value in (name, f"-{name}")]
    parameters = [
        OpenApiParameter("page", int, description="0-based page number.", default=0),
        OpenApiParameter(
            "page_size",
            int,
            description=f"Rows per page, clamped to {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}.",
            default=DEFAULT_PAGE_SIZE,
        ),
        OpenApiParameter(
            "sort",
            {"type": "string", "enum": sort_values},
            description="Column to sort by (`-name` sorts descending); `id` breaks ties.",
        ),
        OpenApiParameter(
            "direction", {"type": "string", "enum": list(DIRECTIONS)}, description="asc or desc."
        ),
    ]
    for key, kind, label in _filters(declaration):
        schema = _kind_item_schema(kind, None)
        repeatable = kind.type in REPEATABLE
        if repeatable:
            schema = {"type": "array", "items": schema}
        parameters.append(
            OpenApiParameter(
                key,
                schema,
                style="form" if repeatable else None,
                explode=True if repeatable else None,
                description=f"{label}. {_filter_help(kind)}",
            )
        )
    return parameters


def _filter_help(kind: FilterKind) -> str:
    if isinstance(kind, VocabularyTextFilter):
        return "Exact term of the vocabulary; aliases accepted, an unknown term is an error."
    if isinstance(kind, ExactTextFilter):
        return "Exact value, ignoring case."
    return FILTER_HELP.get(kind.type, FILTER_HELP["string"])


def _echoed_filter(kind: FilterKind) -> Schema:
    item = _kind_item_schema(kind, None)
    if kind.type in ("integer", "choice"):
        return {"oneOf": [item, {"type": "array", "items": item}]}
    if kind.type == "capabilities":
        return {"type": "string", "description": "Canonical comma-separated capabilities."}
    if kind.type == "tokens":
        return {"type": "string", "description": "Normalized comma-separated tokens."}
    return item


def envelope_schema(declaration: ListDeclaration, prefix: str) -> Schema:
    filters = {
        "type": "object",
        "description": "The filters applied, normalized.",
        "properties": {key: _echoed_filter(kind) for key, kind, _ in _filters(declaration)},
        "additionalProperties": False,
    }
    sort = {
        "type": "object",
        "description": "The sort applied (`id` breaks ties).",
        "properties": {
            "field": {"type": "string", "enum": declaration.sort_fields},
            "direction": {"type": "string", "enum": list(DIRECTIONS)},
        },
        "required": ["field", "direction"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "description": "One page of rows, exactly as the SDK's `list()` returns it.",
        "properties": {
            "rows": {"type": "array", "items": ref(f"{prefix}Row")},
            "total_rows": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 0},
            "page_size": {"type": "integer", "minimum": MIN_PAGE_SIZE, "maximum": MAX_PAGE_SIZE},
            "filters": filters,
            "sort": sort,
        },
        "required": ["rows", "total_rows", "page", "page_size", "filters", "sort"],
        "additionalProperties": False,
    }


# --- shared components ---------------------------------------------------------------------

NULLABLE_STRING = {"type": "string", "nullable": True}

SHARED: dict[str, Schema] = {
    ERROR: {
        "type": "object",
        "description": "Every error: the first message, and all messages by field "
        "(`__all__` for messages that concern no single field).",
        "properties": {
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["detail", "errors"],
        "additionalProperties": False,
    },
    "TableColumn": {
        "type": "object",
        "properties": {
            "field": {"type": "string"},
            "label": {"type": "string"},
            "type": {"type": "string"},
            "filterable": {"type": "boolean"},
            "filter_type": NULLABLE_STRING,
            "options": {"type": "array", "items": {"type": "string"}, "nullable": True},
            "sortable": {"type": "boolean"},
        },
        "required": ["field", "label", "type", "filterable", "filter_type", "options", "sortable"],
        "additionalProperties": False,
    },
    "FilterField": {
        "type": "object",
        "properties": {
            "field": {"type": "string"},
            "type": {"type": "string"},
            "label": {"type": "string"},
        },
        "required": ["field", "type", "label"],
        "additionalProperties": False,
    },
    "KnowledgeConfig": {
        "type": "object",
        "properties": {
            "enabled": {"type": "boolean"},
            "embedding_model_id": {"type": "integer", "nullable": True},
            "embedding_model": {
                "allOf": [ref("ModelRegistryRow")],
                "nullable": True,
                "description": "The selected model's row.",
            },
            "dim": {
                "type": "integer",
                "nullable": True,
                "description": "extra_config.dim of the selected model.",
            },
            "updated_at": {"type": "string", "format": "date-time", "nullable": True},
        },
        "required": ["enabled", "embedding_model_id", "embedding_model", "dim", "updated_at"],
        "additionalProperties": False,
    },
    "KnowledgeConfigUpdate": {
        "type": "object",
        "properties": {
            "enabled": {"oneOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]}]},
            "embedding_model_id": {"type": "integer", "nullable": True},
        },
        "additionalProperties": False,
    },
    "Capabilities": {
        "type": "object",
        "properties": {
            "capabilities": {"type": "array", "items": {"type": "string"}},
            "built_in": {"type": "array", "items": {"type": "string"}},
            "aliases": {"type": "object", "additionalProperties": {"type": "string"}},
            "vocabularies": {
                "type": "object",
                "description": "Each governed vocabulary (capability, feature, format, "
                "provider): its live terms, the built-in ones, and aliases.",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "terms": {"type": "array", "items": {"type": "string"}},
                        "built_in": {"type": "array", "items": {"type": "string"}},
                        "aliases": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                        },
                    },
                },
            },
            "runtime_methods": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "extra_config_schemas": {
                "type": "object",
                "description": "JSON Schema of extra_config for a model with each capability.",
                "additionalProperties": {"type": "object"},
            },
        },
        "required": ["capabilities", "aliases", "runtime_methods", "extra_config_schemas"],
        "additionalProperties": False,
    },
}


def components() -> dict[str, Schema]:
    """Every schema component the API refers to."""
    result = dict(SHARED)
    for name, declaration in DECLARATIONS.items():
        prefix = component_prefix(name)
        result[f"{prefix}Row"] = row_schema(declaration)
        result[f"{prefix}List"] = envelope_schema(declaration, prefix)
        result[f"{prefix}Create"] = payload_schema(declaration, full=True)
        result[f"{prefix}Patch"] = payload_schema(declaration, full=False)
    return result


def add_components(result: Schema, **kwargs: Any) -> Schema:
    """drf-spectacular post-processing hook: add the generated components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components())
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "inventory.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> Schema:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `manage.py create_api_token <username>`; "
            "`Token <token>` is accepted too.",
        }
