"""``client.changes`` and row histories over HTTP, with ``module_sdk.changes``' interface.

Imports nothing from Django (see ``inventory.client``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .values import parse_id, parse_int

FEED_LIMIT = 100


def history_path(resource_path: str, row_id: Any) -> str:
    return f"{resource_path}{quote(str(parse_id('id', row_id)), safe='')}/history/"


def row_history(
    client: Any, resource_path: str, row_id: Any, limit: Any = FEED_LIMIT
) -> list[dict[str, Any]]:
    """The newest changes of one row, newest first (``[]`` when the row never existed)."""
    params = {"limit": str(parse_int("limit", limit))}
    response = client.request("GET", history_path(resource_path, row_id), params=params)
    return [] if response.status_code == 404 else response.json()["changes"]


def knowledge_history(client: Any, limit: Any = FEED_LIMIT) -> list[dict[str, Any]]:
    params = {"limit": str(parse_int("limit", limit))}
    return client.request("GET", "knowledge/history/", params=params).json()["changes"]


class Changes:
    """``client.changes``: the change feed and restores."""

    def __init__(self, client: Any):
        self.client = client

    def since(
        self,
        cursor: Any = None,
        limit: Any = FEED_LIMIT,
        filters: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"changes": [oldest first], "cursor", "has_more"}`` after ``cursor``."""
        params: dict[str, str] = {}
        if cursor not in (None, ""):
            params["after"] = str(parse_int("after", cursor))
        params["limit"] = str(parse_int("limit", limit))
        for key, value in (filters or {}).items():
            if value is not None:
                params[key] = str(value)
        return self.client.request("GET", "changes/", params=params).json()

    def history(self, entity: str, row_id: Any, limit: Any = FEED_LIMIT) -> list[dict[str, Any]]:
        if entity == "knowledge":
            return knowledge_history(self.client, limit)
        return row_history(self.client, entity.replace("_", "-") + "/", row_id, limit)

    def restore(
        self, change_id: Any, fields: Iterable[str] | None = None, **options: Any
    ) -> dict[str, Any]:
        """Write back the version of change ``change_id``; see ``module_sdk.changes``."""
        body: dict[str, Any] = dict(options)
        if fields is not None:
            body["fields"] = [fields] if isinstance(fields, str) else list(fields)
        path = f"changes/{quote(str(parse_id('change_id', change_id)), safe='')}/restore/"
        return self.client.request("POST", path, json=body).json()
