"""The one list declaration per entity: row fields, table columns, filters and sorting.

Adding a column or a filter is one edit here; the SDK, the API, the web tables and filter
forms all read these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import TextChoices

from . import capabilities as caps
from .listing import (
    BoolFilter,
    CapabilitiesFilter,
    ChoiceFilter,
    ExactTextFilter,
    Field,
    IdFilter,
    ListDeclaration,
    SearchFilter,
    TextFilter,
    as_flag,
    iso_datetime,
)
from .models import AvailableModel, Engine, RegisteredModel
from .secrets import mask_row


def _runtime_methods(values: Mapping[str, Any]) -> list[str]:
    return caps.runtime_methods(values["capabilities"])


def _timestamps() -> tuple[Field, ...]:
    return (
        Field(
            "created_at",
            "datetime",
            "Created",
            writable=False,
            serialize=iso_datetime,
            column=False,
        ),
        Field("updated_at", "datetime", "Updated", writable=False, serialize=iso_datetime),
    )


def _id() -> Field:
    return Field("id", "integer", "ID", filter=IdFilter(), writable=False)


def _choice(name: str, label: str, choices: type[TextChoices]) -> Field:
    """A vocabulary column: exact-match filter and table options from the model's choices."""
    options = tuple(choices.values)
    return Field(name, "choice", label, filter=ChoiceFilter(options), options=options)


def _status(choices: type[TextChoices]) -> Field:
    return _choice("status", "Status", choices)


CAPABILITIES_FIELD = Field(
    "capabilities",
    "capabilities",
    "Capabilities",
    filter=CapabilitiesFilter(),
    options=caps.CAPABILITIES,
    sortable=False,
)

ENGINES = ListDeclaration(
    model=Engine,
    fields=(
        _id(),
        Field("name", "string", "Name", filter=TextFilter()),
        Field("provider", "string", "Provider", filter=ExactTextFilter()),
        Field("config", "json", "Config", column=False, sortable=False, serialize=mask_row),
        _status(Engine.Status),
        Field("supported", "boolean", "Supported", filter=BoolFilter()),
        *_timestamps(),
    ),
    search=SearchFilter(("name", "provider")),
    search_label="Search names and providers",
)

AVAILABLE_MODELS = ListDeclaration(
    model=AvailableModel,
    fields=(
        _id(),
        Field("name", "string", "Name", filter=TextFilter()),
        Field("label", "string", "Label", filter=TextFilter()),
        Field("catalog_model_id", "string", "Catalog id", column=False),
        _choice("source_kind", "Source", AvailableModel.SourceKind),
        Field("provider_hint", "string", "Provider hint", filter=ExactTextFilter()),
        _choice("format", "Format", AvailableModel.Format),
        Field("family", "string", "Family", filter=TextFilter()),
        Field("summary", "text", "Summary", column=False, sortable=False),
        Field("storage_ref", "string", "Storage ref", column=False),
        Field("remote_url", "string", "Remote URL", column=False),
        Field("version", "string", "Version"),
        CAPABILITIES_FIELD,
        Field(
            "extended_capabilities", "list", "Extended capabilities", column=False, sortable=False
        ),
        Field("interfaces", "list", "Interfaces", column=False, sortable=False),
        Field("tags", "list", "Tags", column=False, sortable=False),
        Field("requirements", "json", "Requirements", column=False, sortable=False),
        Field("artifacts", "json", "Artifacts", column=False, sortable=False),
        Field("metadata", "json", "Metadata", column=False, sortable=False),
        Field("source_payload", "json", "Source payload", column=False, sortable=False),
        Field("extra_config", "json", "Extra config", column=False, sortable=False),
        _status(AvailableModel.Status),
        *_timestamps(),
    ),
    search=SearchFilter(("name", "label", "family", "storage_ref")),
    search_label="Search names, labels, families and storage refs",
)

REGISTERED_MODELS = ListDeclaration(
    model=RegisteredModel,
    fields=(
        _id(),
        Field("name", "string", "Name", filter=TextFilter()),
        Field("engine_id", "reference", "Engine", filter=IdFilter()),
        Field("available_model_id", "reference", "Catalog model", filter=IdFilter()),
        Field("model_path", "string", "Path", column=False),
        Field("vram_required_mb", "integer", "VRAM (MB)"),
        Field("ram_required_mb", "integer", "RAM (MB)"),
        Field("is_downloaded", "boolean", "Downloaded", filter=BoolFilter(), serialize=as_flag),
        Field("remote_url", "string", "Remote URL", column=False),
        Field("version", "string", "Version"),
        CAPABILITIES_FIELD,
        Field("extra_config", "json", "Extra config", column=False, sortable=False),
        _status(RegisteredModel.Status),
        Field(
            "runtime_methods",
            "list",
            "Runtime methods",
            attr=None,
            writable=False,
            column=False,
            sortable=False,
            derive=_runtime_methods,
        ),
        *_timestamps(),
    ),
    search=SearchFilter(("name", "model_path")),
    search_label="Search names and paths",
)

DECLARATIONS: dict[str, ListDeclaration] = {
    "engine_registry": ENGINES,
    "available_model_registry": AVAILABLE_MODELS,
    "model_registry": REGISTERED_MODELS,
}
