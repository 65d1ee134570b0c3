"""Loosely typed scalar input, read the same way by filters and by model fields."""

from __future__ import annotations

from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def as_bool(value: Any) -> bool:
    """A boolean from a bool, 0/1, or the words true/false, yes/no, on/off in any case.

    Raises ``ValueError`` for anything else (``None``, ``2``, ``"maybe"``…).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(f"not a boolean: {value!r}")


def boolean_message(key: str, value: Any) -> str:
    return f"{key} must be a boolean (0/1/true/false), got {value!r}"
