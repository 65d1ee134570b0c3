"""What drf-spectacular cannot introspect: the bearer-token scheme and references to the
generated components (rows, the error body) from hand-described workflow operations.

Rows and payloads come from the serializers generated from the declarations
(``inventory.api.serializers``), list parameters and the envelope from the list components
(``inventory.api.lists``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .lists import CONFIRM_PARAM, PAGING_PARAMS
from .serializers import component_prefix

__all__ = ["CONFIRM_PARAM", "ERROR", "PAGING_PARAMS", "component_prefix", "ref"]

ERROR = "Error"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


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


def typed_nullable_refs(result: Schema, **kwargs: Any) -> Schema:
    """drf-spectacular post-processing hook: a nullable reference (``allOf: [$ref]`` with
    ``nullable``) also gets ``type: object``, which OpenAPI 3.0 asks of ``nullable``."""
    stack: list[Any] = [result]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("nullable") and "allOf" in item and "type" not in item:
                item["type"] = "object"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return result
