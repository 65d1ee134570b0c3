"""OpenAPI: the failures every operation of ``/api/v1/`` can answer with, whatever it does
(``inventory.failures`` and the throttles), added to each operation by a drf-spectacular
post-processing hook so that generated clients know their bodies and headers."""

from __future__ import annotations

from typing import Any

from inventory.failures import RETRY_AFTER_SECONDS

ERROR = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "example": RETRY_AFTER_SECONDS},
    }
}
REQUEST_ID = {
    "X-Request-ID": {
        "description": "the id of this request in the server log",
        "schema": {"type": "string"},
    }
}

FAILURES: dict[str, dict[str, Any]] = {
    "429": {"description": "Too many calls (throttled)", "headers": RETRY_AFTER},
    "500": {"description": "Unexpected error; the detail names the request id"},
    "503": {
        "description": "The database is unavailable (down, read-only or full)",
        "headers": RETRY_AFTER,
    },
}
TOO_LARGE = {"description": "The body is over the limit, which the detail names"}
BODY_METHODS = {"post", "put", "patch"}


def _response(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": spec["description"],
        "headers": {**spec.get("headers", {}), **REQUEST_ID},
        "content": {"application/json": {"schema": ERROR}},
    }


def add_failure_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook (after the ``Error`` component exists)."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, spec in FAILURES.items():
                responses.setdefault(code, _response(spec))
            if method in BODY_METHODS and "requestBody" in operation:
                responses.setdefault("413", _response(TOO_LARGE))
    return result
