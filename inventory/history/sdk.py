"""``module_sdk.changes``: the change feed, the change list and restores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import feed, restore


class Changes:
    """``module_sdk.changes``."""

    def since(
        self,
        cursor: Any = None,
        limit: Any = feed.FEED_LIMIT,
        filters: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"changes": [oldest first], "cursor", "has_more"}``: the changes committed after
        ``cursor`` (``None``: from the first), optionally narrowed by ``filters``
        (``entity``, ``object_id``, ``action``, ``actor``, ``operation``, ``since``,
        ``until``). Apply each change's ``snapshot`` (remove the row on ``delete``) and keep
        ``cursor`` for the next call to stay in sync."""
        return feed.since(cursor, limit, filters=filters)

    def history(
        self, entity: str, row_id: Any, limit: Any = feed.FEED_LIMIT
    ) -> list[dict[str, Any]]:
        """The newest changes of one row, newest first."""
        return feed.history(entity, row_id, limit)

    def restore(
        self, change_id: Any, fields: Iterable[str] | None = None, **options: Any
    ) -> dict[str, Any]:
        """Write back the version of change ``change_id`` (all fields, or ``fields``); a
        deleted row is created again with its old id. Validated like any write, with the
        same confirmations (``confirm_embedding_model_change``, ``allow_over_capacity``)."""
        return restore.restore(change_id, fields, **options)
