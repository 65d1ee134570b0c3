"""``Selection``: bulk operations that read well, for the SDK and the HTTP client alike.

    models = module_sdk.models.model_registry
    models.select(filters={"engine_id": 3}).move_to_engine(7)
    models.select(ids=[4, 5]).update({"status": "disabled", "add_capabilities": ["chat"]})
    models.select(filters={"engine_status": "error"}).deactivate(dry_run=True)
    models.select(ids=[9]).delete()

Each call runs ``bulk(action, ids, filters, changes, dry_run, **options)`` of the resource it
came from, so the SDK and the client share these names and arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Selection:
    """Rows chosen by ids and/or a filter; nothing is read until an operation runs."""

    def __init__(self, run: Callable[..., dict[str, Any]], ids: Any = None, filters: Any = None):
        self._run = run
        self.ids = ids
        self.filters = filters

    def __repr__(self) -> str:
        return f"<Selection ids={self.ids!r} filters={self.filters!r}>"

    def _bulk(self, action: str, changes: Any = None, **options: Any) -> dict[str, Any]:
        return self._run(action, ids=self.ids, filters=self.filters, changes=changes, **options)

    def update(
        self, changes: Mapping[str, Any], dry_run: bool = False, **options: Any
    ) -> dict[str, Any]:
        """Set fields (``status``, ``engine_id``, flags…) and add/remove list items
        (``add_capabilities``, ``remove_tags``…) on every selected row."""
        return self._bulk("update", changes, dry_run=dry_run, **options)

    def move_to_engine(
        self, engine_id: Any, dry_run: bool = False, **options: Any
    ) -> dict[str, Any]:
        """Registered models: move every selected row to another engine."""
        return self._bulk("update", {"engine_id": engine_id}, dry_run=dry_run, **options)

    def deactivate(self, dry_run: bool = False, **options: Any) -> dict[str, Any]:
        """Set the selected active rows back to their inactive status."""
        return self._bulk("deactivate", dry_run=dry_run, **options)

    def delete(self, dry_run: bool = False) -> dict[str, Any]:
        """Delete every selected row, or none when any of them is protected."""
        return self._bulk("delete", dry_run=dry_run)
