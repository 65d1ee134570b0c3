"""The module SDK: one contract for modules and shell scripts.

    from inventory.sdk import module_sdk

    listing = module_sdk.models.model_registry.list(
        page=0, page_size=200, filters={"engine_id": 3, "status": "available"}
    )
    created = module_sdk.models.model_registry.create(
        {"name": "llama3", "engine_id": 3, "capabilities": ["chat"]}
    )

Validation failures raise ``RegistryValidationError`` (a ``ValueError``) carrying per-field
errors in ``.errors``. The REST API under ``/api/v1/`` mirrors this interface one to one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict
from typing import Any

from . import bulk as bulk_operations
from . import impact, keyset, listing, secrets, vocabulary_service
from . import search as global_search
from .declarations import DECLARATIONS
from .errors import RegistryProtectedError, RegistryValidationError
from .history import feed
from .history.sdk import Changes
from .listing import DEFAULT_PAGE_SIZE, ListDeclaration
from .models import KnowledgeSettings
from .selection import Selection
from .services import SERVICES, EntityService, knowledge_config, update_knowledge_config
from .values import parse_id
from .vocabulary import CapabilityVocabulary
from .workflows.facade import Workflows


class ModelResource:
    """List, read and write one entity (``engine_registry``, ``model_registry``, …)."""

    def __init__(self, name: str, declaration: ListDeclaration, service: EntityService):
        self.name = name
        self.declaration = declaration
        self.service = service

    def __repr__(self) -> str:
        return f"<ModelResource {self.name}>"

    def list(
        self,
        page: int = 0,
        page_size: int = DEFAULT_PAGE_SIZE,
        filters: Mapping[str, Any] | None = None,
        sort: Any = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """``{"rows", "total_rows", "page", "page_size", "filters", "sort"}``; pages are 0-based
        and ``page_size`` is clamped to 1..200.

        With ``cursor`` (``""`` for the first page, then each page's ``next_cursor``) the page
        is read by keyset instead: ``next_cursor`` is added (``None`` after the last row),
        ``page`` and ``total_rows`` are ``None`` (not counted); see ``inventory.keyset``."""
        if cursor is not None:
            request = listing.ListRequest.build(self.declaration, filters, sort)
            return keyset.cursor_page(request, cursor, page, page_size)
        return listing.list_page(self.declaration, page, page_size, filters, sort)

    def iterate(
        self, filters: Mapping[str, Any] | None = None, sort: Any = None
    ) -> Iterator[dict[str, Any]]:
        """Every matching row, read by keyset a chunk at a time (memory stays flat); a row
        present for the whole walk comes exactly once, whatever is inserted or deleted."""
        return keyset.iter_rows(listing.ListRequest.build(self.declaration, filters, sort))

    def all(self, filters: Mapping[str, Any] | None = None, sort: Any = None) -> dict[str, Any]:
        """``{"rows", "filters", "sort"}`` with every matching row (read as ``iterate``)."""
        return keyset.list_all(self.declaration, filters, sort)

    def view(self, row_id: Any) -> dict[str, Any] | None:
        queryset = self.declaration.queryset().filter(pk=parse_id("id", row_id))
        rows = list(self.declaration.rows(queryset))
        return rows[0] if rows else None

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        return listing.count(self.declaration, filters)

    def create(self, payload: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        return self.service.create(payload, **options)

    def update(
        self, row_id: Any, payload: Mapping[str, Any], **options: Any
    ) -> dict[str, Any] | None:
        """Partial update: only the given keys change; ``None`` when the row does not exist."""
        return self.service.update(row_id, payload, **options)

    def delete(self, row_id: Any) -> bool:
        """``True`` when deleted, ``False`` when missing; a protected row raises
        ``RegistryProtectedError`` with the reason."""
        return self.service.delete(row_id)

    def bulk(
        self,
        action: str = "update",
        ids: Any = None,
        filters: Mapping[str, Any] | None = None,
        changes: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> dict[str, Any]:
        """Change (``update``), ``deactivate`` or ``delete`` the rows with ``ids`` and/or
        matching ``filters``, in one transaction; the per-row report. A refused row refuses
        the whole operation (``BulkRefusedError`` with ``.report``); neither ids nor filters
        is refused. See ``inventory.bulk``."""
        return bulk_operations.bulk(self.name, action, ids, filters, changes, dry_run, **options)

    def select(self, ids: Any = None, filters: Mapping[str, Any] | None = None) -> Selection:
        """Rows to operate on: ``select(filters={"engine_id": 3}).move_to_engine(7)``."""
        return Selection(self.bulk, ids, filters)

    def delete_impact(self, row_id: Any) -> dict[str, Any] | None:
        """What deleting the row would refuse, unlink or leave stale; ``None`` when missing."""
        instance = self.declaration.queryset().filter(pk=parse_id("id", row_id)).first()
        return None if instance is None else impact.delete_impact(self.name, instance)

    def history(self, row_id: Any, limit: Any = feed.FEED_LIMIT) -> list[dict[str, Any]]:
        """The row's newest changes (up to ``limit``, 1..1000), newest first, also once it
        was deleted; every change through ``changes.since`` with the row's filters."""
        return feed.history(self.name, row_id, limit)

    def table_model(self) -> list[dict[str, Any]]:
        return self.declaration.table_model()

    def filters_model(self) -> list[dict[str, Any]]:
        return self.declaration.filters_model()


class EngineResource(ModelResource):
    """``engine_registry``: rows show secrets in ``config`` masked; ``view_secrets`` reads them
    in clear (the SDK runs in trusted code; over HTTP it needs ``view_engine_secrets``)."""

    def view_secrets(self, row_id: Any) -> dict[str, Any] | None:
        """``{"id", "name", "config"}`` with the config's secrets in clear; ``None`` when the
        engine does not exist."""
        return secrets.clear_config_of(parse_id("id", row_id))


RESOURCE_CLASSES: dict[str, type[ModelResource]] = {"engine_registry": EngineResource}


class Models:
    """``module_sdk.models``: one ``ModelResource`` per entity."""

    def __init__(self) -> None:
        self._resources = {
            name: RESOURCE_CLASSES.get(name, ModelResource)(name, declaration, SERVICES[name])
            for name, declaration in DECLARATIONS.items()
        }
        self.engine_registry = self._resources["engine_registry"]
        self.available_model_registry = self._resources["available_model_registry"]
        self.model_registry = self._resources["model_registry"]

    def __getitem__(self, name: str) -> ModelResource:
        return self._resources[name]

    def __iter__(self):
        return iter(self._resources)


class Knowledge:
    """``module_sdk.knowledge``: the knowledge embedding backend settings."""

    def get_config(self) -> dict[str, Any]:
        return knowledge_config()

    def update_config(
        self, payload: Mapping[str, Any], confirm_embedding_model_change: bool = False
    ) -> dict[str, Any]:
        return update_knowledge_config(payload, confirm_embedding_model_change)

    def history(self, limit: Any = feed.FEED_LIMIT) -> list[dict[str, Any]]:
        """The newest changes of the knowledge settings, newest first."""
        return feed.history("knowledge", KnowledgeSettings.SINGLETON_ID, limit)


class Capabilities(CapabilityVocabulary):
    """``module_sdk.capabilities``: the vocabulary, runtime methods and config schemas."""


class Vocabulary:
    """``module_sdk.vocabulary``: the governed vocabularies (``capability``, ``feature``,
    ``format``, ``provider``) as data. Added terms and aliases are accepted at once by every
    door; a term in use cannot be removed (``RegistryProtectedError`` says where it is used)."""

    def terms(self, kind: str | None = None) -> list[dict[str, Any]]:
        return vocabulary_service.list_terms(kind)

    def aliases(self, kind: str | None = None) -> list[dict[str, Any]]:
        return vocabulary_service.list_aliases(kind)

    def add_term(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``{"kind", "name", "label"?, "description"?}`` → the new term."""
        return vocabulary_service.add_term(payload)

    def remove_term(self, kind: str, name: str) -> bool:
        return vocabulary_service.remove_term(kind, name)

    def add_alias(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``{"kind", "alias", "term"}`` → the new alias (renaming is done with an alias)."""
        return vocabulary_service.add_alias(payload)

    def remove_alias(self, kind: str, alias: str) -> bool:
        return vocabulary_service.remove_alias(kind, alias)


class ModuleSDK:
    ValidationError = RegistryValidationError
    ProtectedError = RegistryProtectedError

    def __init__(self) -> None:
        self.models = Models()
        self.knowledge = Knowledge()
        self.capabilities = Capabilities()
        self.vocabulary = Vocabulary()
        self.workflows = Workflows()
        self.changes = Changes()

    def search(self, q: Any, limit: Any = None, entities: Any = None) -> dict[str, Any]:
        """Engines, catalog rows and registered models holding ``q`` (case-insensitive
        substring of the fields each list's ``q`` filter reads): ``{"q", "limit", "groups":
        [{"entity", "total", "capped", "hits": [{"id", "name", "field", "label", "value"}]}]}``,
        as the search page and ``GET /api/v1/search/`` give it."""
        return asdict(global_search.search(q, limit, entities))


module_sdk = ModuleSDK()

__all__ = ["RegistryProtectedError", "RegistryValidationError", "module_sdk"]
