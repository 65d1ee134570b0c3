"""What drf-spectacular cannot introspect: the bearer-token scheme, ``nullable`` references
and the size limits the models enforce.

Rows and payloads come from the serializers generated from the declarations
(``inventory.api.serializers``), list parameters and the envelope from the list components
(``inventory.api.lists``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .lists import CONFIRM_PARAM, PAGING_PARAMS
from .serializers import component_prefix

__all__ = ["CONFIRM_PARAM", "PAGING_PARAMS", "component_prefix"]

Schema = dict[str, Any]


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


def publish_limits(result: Schema, **kwargs: Any) -> Schema:
    """drf-spectacular post-processing hook: every size limit the models enforce
    (``inventory.limits``), on the rows and request bodies of its entity: ``maxLength`` for
    text, ``x-maxJsonBytes`` and a sentence for JSON (JSON Schema has no keyword for bytes)."""
    from inventory.limits import all_limits

    schemas = result.get("components", {}).get("schemas", {})
    for limit in all_limits():
        prefix = component_prefix(limit.entity)
        names = (f"{prefix}Row", f"{prefix}CreateRequest", f"Patched{prefix}PatchRequest")
        for name in names:
            prop = schemas.get(name, {}).get("properties", {}).get(limit.field)
            if prop is None:
                continue
            if limit.unit == "characters":
                if prop.get("type") == "string":
                    prop["maxLength"] = limit.limit
                else:
                    note = f"At most {limit.limit} characters once normalized."
                    prop["description"] = f"{prop.get('description', '')} {note}".strip()
            else:
                prop["x-maxJsonBytes"] = limit.limit
                note = f"At most {limit.limit} bytes as JSON."
                prop["description"] = f"{prop.get('description', '')} {note}".strip()
    return result
