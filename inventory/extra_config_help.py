"""``extra_config`` help for forms, read from the JSON Schemas the server validates with.

Each key a capability allows (``dim``, ``defaults.temperature``…) becomes one readable row:
its type, the values allowed, what it is for, and which capabilities allow it. The rows come
from ``extra_config.schema_for`` for each capability of the live vocabulary, so the help says
exactly what the validator accepts; the page script shows the rows of the ticked (or typed,
aliases included) capabilities.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import capabilities as caps
from . import extra_config
from .vocabularies import CAPABILITY

TYPE_WORDS = {
    "integer": "whole number",
    "number": "number",
    "string": "text",
    "array": "list of texts",
    "object": "JSON object",
}


@dataclass(frozen=True)
class KeyHelp:
    """One ``extra_config`` key as the form explains it."""

    key: str
    kind: str
    values: str
    description: str
    capabilities: tuple[str, ...]  # the capabilities that allow it (all of them: ``any_model``)
    any_model: bool
    input: str  # the readable form's input: "integer", "number", "text", "list" or "" (none)

    def shown_for(self, selected: Iterable[str]) -> bool:
        return self.any_model or bool(set(self.capabilities) & set(selected))


def schema_keys(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict]]:
    """``(path, property schema)`` of every key the schema allows (``{"not": {}}`` is a key
    refused outright); an object with properties is described by its keys."""
    for name, prop in schema.get("properties", {}).items():
        if "not" in prop:
            continue
        path = f"{prefix}{name}"
        if prop.get("type") == "object" and prop.get("properties"):
            yield from schema_keys(prop, f"{path}.")
        else:
            yield path, prop


def allowed_values(prop: dict[str, Any]) -> str:
    """``1 or more``, ``from 0 to 2``, ``more than 0, at most 1``… from a property schema."""
    low, high = prop.get("minimum"), prop.get("maximum")
    above = prop.get("exclusiveMinimum")
    if above is not None and high is not None:
        return f"more than {_number(above)}, at most {_number(high)}"
    if low is not None and high is not None:
        return f"from {_number(low)} to {_number(high)}"
    if low is not None:
        return f"{_number(low)} or more"
    if above is not None:
        return f"more than {_number(above)}"
    if prop.get("type") == "object":
        return "any keys (not checked)"
    return "any"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _input_kind(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if kind in ("integer", "number"):
        return kind
    if kind == "string":
        return "text"
    if kind == "array":
        return "list"
    return ""


def key_help(vocabulary: Iterable[str] | None = None) -> list[KeyHelp]:
    """Every ``extra_config`` key any capability allows, in schema order."""
    vocabulary = list(vocabulary if vocabulary is not None else caps.known())
    for_any = dict(schema_keys(extra_config.schema_for([])))
    by_key: dict[str, dict[str, Any]] = {}
    allowed_by: dict[str, list[str]] = {}
    for capability, schema in extra_config.schemas_by_capability(vocabulary).items():
        for path, prop in schema_keys(schema):
            by_key.setdefault(path, prop)
            allowed_by.setdefault(path, []).append(capability)
    order = [path for path, _prop in schema_keys(extra_config.schema_for(vocabulary))]
    paths = sorted(by_key, key=lambda path: order.index(path) if path in order else len(order))
    return [_row(path, by_key[path], allowed_by[path], path in for_any) for path in paths]


def _row(path: str, prop: dict[str, Any], allowed_by: list[str], any_model: bool) -> KeyHelp:
    return KeyHelp(
        key=path,
        kind=TYPE_WORDS.get(prop.get("type", ""), prop.get("type", "")),
        values=allowed_values(prop),
        description=prop.get("description", ""),
        capabilities=tuple(allowed_by),
        any_model=any_model,
        input=_input_kind(prop),
    )


def selected_capabilities(value: Any) -> list[str]:
    """The canonical capabilities of a form value (ticked names, or text with aliases);
    unknown tokens are left out (the model reports them)."""
    tokens = caps.split_tokens(value) if isinstance(value, str | list | tuple) else []
    known = set(caps.known())
    aliases = CAPABILITY.describe()["aliases"]
    result: list[str] = []
    for token in tokens:
        spelled = caps.canonical_token(token)
        name = aliases.get(spelled, spelled)
        if name in known and name not in result:
            result.append(name)
    return result


def help_context(capabilities: Any) -> dict[str, Any]:
    """What the ``extra_config`` help template shows for the form's current capabilities:
    the keys grouped by the capabilities that allow them (their aliases named too), each group
    shown when one of them is selected."""
    selected = selected_capabilities(capabilities)
    aliases = CAPABILITY.describe()["aliases"]
    spelled: dict[str, list[str]] = {}
    for alias, term in aliases.items():
        spelled.setdefault(term, []).append(alias)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in key_help():
        group = groups.get(row.capabilities)
        if group is None:
            names = [
                f"{name} (or {', '.join(spelled[name])})" if name in spelled else name
                for name in row.capabilities
            ]
            group = groups[row.capabilities] = {
                "title": "Any model" if row.any_model else f"With {' or '.join(names)}",
                "capabilities": row.capabilities,
                "any_model": row.any_model,
                "shown": row.shown_for(selected),
                "keys": [],
            }
        group["keys"].append(row)
    return {
        "selected": selected,
        "groups": list(groups.values()),
        "any_shown": any(group["shown"] for group in groups.values()),
        "aliases": aliases,
    }
