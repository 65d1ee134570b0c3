"""YAML documents without alias expansion: a few hundred bytes of nested aliases
("billion laughs") would otherwise expand to billions of rows in every walk of the document.

PyYAML's C loader builds each anchored node once and makes every alias of it a reference to
the same object, so loading stays fast; the expansion happens later, in whatever walks the
result. So the loaded document is walked once, visiting each list and mapping object once:
a list or mapping reached a second time is an alias of a collection, and the file is refused
before anything expands it. Aliases of scalars (a repeated string or number) expand nothing
and are kept.
"""

from __future__ import annotations

from typing import Any

import yaml

from ...errors import RegistryValidationError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ALIAS_REFUSED = (
    "not valid YAML: aliases (*name) of lists or mappings are not accepted in an import; "
    "write the repeated part out"
)


def load(text: str) -> Any:
    """The document of a YAML text; ``yaml.YAMLError`` for bad YAML, refused (see the module
    docstring) when a list or mapping is reused through an alias."""
    document = yaml.load(text, Loader=_LOADER)
    refuse_collection_aliases(document)
    return document


def refuse_collection_aliases(document: Any) -> None:
    """Refuse a document in which one list or mapping object appears twice. Walked without
    recursion, each collection once, so a hostile document costs no more than its nodes."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict | list):
            if id(item) in seen:
                raise RegistryValidationError({"file": [ALIAS_REFUSED]})
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
