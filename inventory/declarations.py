"""The one list declaration per entity: row fields, table columns, filters and sorting.

Adding a column or a filter is one edit here; the SDK, the API, the web tables and filter
forms all read these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.db.models import TextChoices

from . import capabilities as caps
from . import capacity, row_warnings
from .listing import (
    BoolFilter,
    CapabilitiesFilter,
    CaseInsensitiveExactFilter,
    ChoiceFilter,
    ExactNameFilter,
    Field,
    IdFilter,
    IsoDatetimeText,
    ListDeclaration,
    Lookup,
    ReferenceFilter,
    SearchFilter,
    TextFilter,
    TokensFilter,
    VocabularyChoiceFilter,
    VocabularyOptions,
    VocabularyTextFilter,
    as_flag,
    iso_datetime,
)
from .models import AvailableModel, Engine, RegisteredModel
from .secrets import mask_row


@lru_cache(maxsize=256)
def _stored_runtime_methods(capabilities: str) -> tuple[str, ...]:
    """Runtime methods of a stored capabilities value: derived once per distinct value (a
    page holds few), not once per row."""
    return tuple(caps.runtime_methods(capabilities))


def _runtime_methods(values: Mapping[str, Any]) -> list[str]:
    return list(_stored_runtime_methods(values["capabilities"] or ""))


def _timestamps() -> tuple[Field, ...]:
    return (
        Field(
            "created_at",
            "datetime",
            "Created",
            writable=False,
            serialize=iso_datetime,
            read=IsoDatetimeText,
            column=False,
        ),
        Field(
            "updated_at",
            "datetime",
            "Updated",
            writable=False,
            serialize=iso_datetime,
            read=IsoDatetimeText,
        ),
    )


def _derived(name: str, type_: str, label: str, key: str) -> Field:
    """A read-only value taken from the declaration's row context."""
    return Field(
        name,
        type_,
        label,
        attr=None,
        writable=False,
        column=False,
        sortable=False,
        derive=lambda values: values[key],
    )


def _over_capacity(label: str, engine_attr: str, derive: Any) -> Field:
    """Whether the row's engine is over capacity: a read-only value and a filter."""
    return Field(
        "over_capacity",
        "boolean",
        label,
        attr=None,
        filter=capacity.OverCapacityFilter(engine_attr),
        writable=False,
        column=False,
        sortable=False,
        derive=derive,
    )


def _id() -> Field:
    return Field("id", "integer", "ID", filter=IdFilter(), writable=False)


def _choice(name: str, label: str, choices: type[TextChoices]) -> Field:
    """A vocabulary column: exact-match filter and table options from the model's choices."""
    options = tuple(choices.values)
    return Field(name, "choice", label, filter=ChoiceFilter(options), options=options)


def _list(model: type, name: str, label: str) -> Field:
    """A CSV list column filtered by whole tokens, as the field normalizes them."""
    return Field(
        name,
        "list",
        label,
        filter=TokensFilter.of_field(model, name),
        column=False,
        sortable=False,
    )


def _name_exact() -> tuple[Lookup, ...]:
    """Every entity's exact lookup by name, beside the substring ``name`` filter."""
    return (Lookup("name_exact", "name", ExactNameFilter(), "Name (exact)"),)


def _status(choices: type[TextChoices]) -> Field:
    return _choice("status", "Status", choices)


CAPABILITIES_FIELD = Field(
    "capabilities",
    "capabilities",
    "Capabilities",
    filter=CapabilitiesFilter(),
    options=VocabularyOptions("capability"),
    sortable=False,
)


def _provider(name: str, label: str) -> Field:
    """A provider column: exact match on the provider vocabulary (aliases accepted)."""
    return Field(name, "string", label, filter=VocabularyTextFilter(vocabulary="provider"))


ENGINES = ListDeclaration(
    model=Engine,
    fields=(
        _id(),
        Field("name", "string", "Name", filter=TextFilter()),
        _provider("provider", "Provider"),
        Field("config", "json", "Config", column=False, sortable=False, serialize=mask_row),
        _status(Engine.Status),
        Field("supported", "boolean", "Supported", filter=BoolFilter()),
        Field("vram_total_mb", "integer", "VRAM total (MB)"),
        Field("ram_total_mb", "integer", "RAM total (MB)"),
        _derived(
            "vram_used_mb", "integer", "VRAM needed by active models (MB)", "ctx_vram_used_mb"
        ),
        _derived("ram_used_mb", "integer", "RAM needed by active models (MB)", "ctx_ram_used_mb"),
        _over_capacity("Over capacity", "pk", capacity.engine_over_capacity),
        *_timestamps(),
    ),
    search=SearchFilter(("name", "provider")),
    search_label="Search names and providers",
    lookups=_name_exact(),
    page_context=capacity.engine_page_context,
    row_context=lambda: capacity.need_context("pk", ("ctx_vram_used_mb", "ctx_ram_used_mb")),
)

AVAILABLE_MODELS = ListDeclaration(
    model=AvailableModel,
    fields=(
        _id(),
        Field("name", "string", "Name", filter=TextFilter()),
        Field("label", "string", "Label", filter=TextFilter()),
        Field("catalog_model_id", "string", "Catalog id", column=False),
        _choice("source_kind", "Source", AvailableModel.SourceKind),
        _provider("provider_hint", "Provider hint"),
        Field(
            "format",
            "choice",
            "Format",
            filter=VocabularyChoiceFilter((), vocabulary="format"),
            options=VocabularyOptions("format", blank=True),
        ),
        Field("quantization", "string", "Quantization", filter=CaseInsensitiveExactFilter()),
        Field("family", "string", "Family", filter=TextFilter()),
        Field("summary", "text", "Summary", column=False, sortable=False),
        Field("storage_ref", "string", "Storage ref", column=False),
        Field("remote_url", "string", "Remote URL", column=False),
        Field("version", "string", "Version"),
        CAPABILITIES_FIELD,
        _list(AvailableModel, "extended_capabilities", "Extended capabilities"),
        _list(AvailableModel, "interfaces", "Interfaces"),
        _list(AvailableModel, "tags", "Tags"),
        Field("requirements", "json", "Requirements", column=False, sortable=False),
        Field("artifacts", "json", "Artifacts", column=False, sortable=False),
        Field("metadata", "json", "Metadata", column=False, sortable=False),
        Field("source_payload", "json", "Source payload", column=False, sortable=False),
        Field("extra_config", "json", "Extra config", column=False, sortable=False),
        _status(AvailableModel.Status),
        *_timestamps(),
    ),
    search=SearchFilter(
        ("name", "label", "family", "tags", "catalog_model_id", "storage_ref", "remote_url")
    ),
    search_label="Search names, labels, families, tags, catalog ids, storage refs and URLs",
    lookups=_name_exact(),
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
        Field(
            "engine_status",
            "choice",
            "Engine status",
            attr="engine__status",
            filter=ChoiceFilter(tuple(Engine.Status.values)),
            options=tuple(Engine.Status.values),
            writable=False,
            column=False,
            sortable=False,
        ),
        _over_capacity("Engine over capacity", "engine_id", row_warnings.engine_over_capacity),
        Field(
            "warnings",
            "list",
            "Warnings",
            attr=None,
            writable=False,
            column=False,
            sortable=False,
            derive=row_warnings.warnings,
        ),
        *_timestamps(),
    ),
    search=SearchFilter(("name", "model_path", "remote_url")),
    search_label="Search names, paths and URLs",
    lookups=(
        *_name_exact(),
        Lookup("engine", "engine_id", ReferenceFilter(Engine), "Engine"),
        Lookup(
            "available_model",
            "available_model_id",
            ReferenceFilter(AvailableModel),
            "Catalog model",
        ),
    ),
    context=row_warnings.context,
    page_context=row_warnings.page_context,
    row_context=lambda: capacity.need_context(
        "engine_id", ("ctx_engine_vram_used_mb", "ctx_engine_ram_used_mb")
    ),
)

DECLARATIONS: dict[str, ListDeclaration] = {
    "engine_registry": ENGINES,
    "available_model_registry": AVAILABLE_MODELS,
    "model_registry": REGISTERED_MODELS,
}
