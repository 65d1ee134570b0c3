"""Loosely typed scalar input, read the same way by filters, model fields and the HTTP client.

Nothing here imports Django, so ``inventory.client`` checks arguments with the very rules
(and messages) the server applies.
"""

from __future__ import annotations

from typing import Any

from .errors import RegistryValidationError
from .wording import BOOLEAN, INTEGER

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


SHOWN_LENGTH = 60


def shown(value: Any) -> str:
    """A value quoted for a message (``2000000.0``, ``'abc'``), cut short when long."""
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def boolean_message(key: str, value: Any) -> str:
    return f"{key} {BOOLEAN.api}, got {value!r}"


def parse_int(key: str, value: Any) -> int:
    """An integer from an int or a string of digits; anything else names ``key``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise RegistryValidationError({key: [f"{key} {INTEGER.api}, got {value!r}"]})


ID_RANGE = (-(2**63), 2**63 - 1)


def parse_id(key: str, value: Any) -> int:
    """An integer id within the database's 64-bit range; anything else names ``key``."""
    number = parse_int(key, value)
    if not ID_RANGE[0] <= number <= ID_RANGE[1]:
        raise RegistryValidationError({key: [f"{key} {number} is out of range"]})
    return number
