"""The inventory document: format constants, its sections (which entity, which row keys,
which keys name a row of another entity) and format names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from ...declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from ...errors import RegistryValidationError
from ...listing import ListDeclaration
from ...models import AvailableModel, Engine
from ...services import SERVICES, EntityService

FORMAT_NAME = "model-registry-inventory"
FORMAT_VERSION = 1
FORMATS = ("json", "yaml", "csv")
EXPORT_FORMATS = ("json", "yaml")
ACTIONS = ("created", "updated", "unchanged", "refused")
MODES = ("all", "partial")
"""``all``: the import is written only when no row is refused (the default); ``partial``: the
valid rows are written and the refused ones reported."""
IGNORED_KEYS = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Reference:
    """A row key that names a row of another entity (``engine`` → ``engine_id``)."""

    key: str
    payload_key: str
    model: type[models.Model]
    lookup: str  # the ``values()`` path of the referenced name, for exports
    section: str  # the document section holding the referenced rows


@dataclass(frozen=True)
class Section:
    key: str
    sdk_name: str
    declaration: ListDeclaration
    references: tuple[Reference, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def service(self) -> EntityService:
        return SERVICES[self.sdk_name]

    @property
    def export_keys(self) -> list[str]:
        """Row keys in declared order, references under their name key."""
        by_payload = {ref.payload_key: ref.key for ref in self.references}
        return [by_payload.get(item.name, item.name) for item in self.declaration.writable_fields]

    def field_key(self, payload_key: str) -> str:
        """The row key an error on a payload key belongs to."""
        return next(
            (ref.key for ref in self.references if ref.payload_key == payload_key), payload_key
        )


SECTIONS: tuple[Section, ...] = (
    Section("engines", "engine_registry", ENGINES),
    Section("catalog", "available_model_registry", AVAILABLE_MODELS),
    Section(
        "registered_models",
        "model_registry",
        REGISTERED_MODELS,
        (
            Reference("engine", "engine_id", Engine, "engine__name", "engines"),
            Reference(
                "available_model",
                "available_model_id",
                AvailableModel,
                "available_model__name",
                "catalog",
            ),
        ),
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
KNOWLEDGE = "knowledge"
#: Terms and aliases administrators added to the governed vocabularies (imported first).
VOCABULARY = "vocabulary"
DOCUMENT_KEYS = ("format", "version", VOCABULARY, *SECTION_KEYS, KNOWLEDGE)


def _format(fmt: Any, allowed: tuple[str, ...] = FORMATS) -> str:
    value = str(fmt or "").strip().lower().lstrip(".")
    value = "yaml" if value == "yml" else value
    if value not in allowed:
        raise RegistryValidationError(
            {"format": [f"format must be one of: {', '.join(allowed)}; got {fmt!r}"]}
        )
    return value


def parse_mode(mode: Any) -> str:
    value = "all" if mode in (None, "") else mode
    if not isinstance(value, str) or value.strip().lower() not in MODES:
        raise RegistryValidationError(
            {"mode": [f"mode must be one of: {', '.join(MODES)}; got {mode!r}"]}
        )
    return value.strip().lower()


def format_for(filename: str, default: str = "json") -> str:
    """The format a file name implies (``.json``, ``.yaml``/``.yml``, ``.csv``)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _format(suffix) if suffix in {"json", "yaml", "yml", "csv"} else default


def row_count(document: Mapping[str, Any]) -> int:
    return sum(len(document.get(key) or []) for key in SECTION_KEYS)
