"""OpenAPI links from the responses that return a row to the operations on that row.

A create (``POST /x/``) or a read (``GET /x/{id}/``) answers with a row whose ``id`` is the
path parameter of ``GET``/``PUT``/``PATCH``/``DELETE /x/{id}/`` and of the row's workflow
operations (``/x/{id}/reconcile/``…). Published as links, they let generated clients and
stateful testers (schemathesis) follow a created row through its life. Derived from the
paths, so every entity and every later operation on ``{id}`` gets its links.
"""

from __future__ import annotations

import re
from typing import Any

ROW_PATH = re.compile(r"^(?P<base>.+/)\{id\}/(?P<rest>.*)$")
METHODS = ("get", "put", "patch", "post", "delete")


def _operation_id(operation: dict[str, Any], method: str, path: str) -> str:
    return operation.get("operationId") or f"{method}_{path}"


def add_links(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the links described in the module docstring."""
    paths: dict[str, dict[str, Any]] = result.get("paths", {})
    targets: dict[str, list[tuple[str, str]]] = {}
    for path, item in paths.items():
        match = ROW_PATH.match(path)
        if not match:
            continue
        for method in METHODS:
            if method in item:
                operation_id = _operation_id(item[method], method, path)
                label = f"{method.upper()}{'' if not match['rest'] else ' ' + match['rest']}"
                targets.setdefault(match["base"], []).append((label, operation_id))
    for base, operations in targets.items():
        sources = [(paths.get(base, {}).get("post"), "201")]
        sources += [(paths.get(f"{base}{{id}}/", {}).get(m), "200") for m in ("get", "patch")]
        for operation, code in sources:
            response = (operation or {}).get("responses", {}).get(code)
            if response is None:
                continue
            links = response.setdefault("links", {})
            for label, operation_id in operations:
                name = re.sub(r"[^A-Za-z0-9]", "", label.title())
                links.setdefault(
                    name,
                    {"operationId": operation_id, "parameters": {"id": "$response.body#/id"}},
                )
    return result
