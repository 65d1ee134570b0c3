"""JSON text written by orjson where it is what Django's encoder (``json.dumps``) means.

orjson is asked to refuse (raise on) what it would write otherwise than Django's encoder, or
not at all: dates and times, dataclasses, subclasses of the JSON types; it refuses by itself
integers beyond 64 bits, keys that are not text and lone surrogates. NaN and Infinity, which
it writes as ``null``, are the callers' to rule out.
"""

from __future__ import annotations

from typing import Any

import orjson

#: what orjson must leave to Django's encoder: it raises on them instead
STRICT = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


#: the text of an empty object or list, the value most JSON columns hold
_EMPTY = {dict: b"{}", list: b"[]"}


def plain(value: Any) -> bytes | None:
    """``value`` as JSON text, or ``None`` where Django's encoder is to decide."""
    if value.__class__ in _EMPTY and not value:
        return _EMPTY[value.__class__]
    try:
        return orjson.dumps(value, option=STRICT)
    except orjson.JSONEncodeError:
        return None
