"""Field checks shared by the rows of one batch: each distinct value is checked once per field.

An import validates thousands of rows whose ``format``, ``family``, ``tags``,
``capabilities`` or ``status`` repeat. Inside ``shared()`` a field check of a scalar value
(a string, number or boolean) already checked for the same field returns the same outcome —
the normalized value, or the same errors — instead of running again. The checks are the
field's own (``Field.clean``, the storable-value check); only their repetition is skipped.
Relations are never shared (their check reads the database per row), and the sharing ends
with the batch (``shared()`` is opened per chunk of rows), so a vocabulary changed between
chunks is seen.

A JSON object or list (``requirements``, ``source_payload``…) is shared by its exact JSON
text (``json_key``): only the outcome of its checks (passed, or the same errors) is shared;
each row keeps its own value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from .. import json_text

T = TypeVar("T")

#: value types whose checks may be shared: hashable, immutable, compared by value
SHAREABLE = frozenset({str, int, float, bool})

_outcomes: ContextVar[dict[tuple, tuple[Any, list | None]] | None] = ContextVar(
    "registry_shared_checks", default=None
)


@contextmanager
def shared() -> Iterator[None]:
    """Share the field checks of equal values until the block ends (see the module)."""
    token = _outcomes.set({})
    try:
        yield
    finally:
        _outcomes.reset(token)


def once(kind: str, field: models.Field, value: Any, check: Callable[..., T], *args: Any) -> T:
    """``check(*args)`` — the ``kind`` check of ``value`` for ``field`` — or, inside
    ``shared()``, the outcome it had for an equal value of the same type (its result, or its
    ``ValidationError`` raised again)."""
    if value.__class__ not in SHAREABLE or field.is_relation:
        return check(*args)
    return outcome((kind, id(field), value.__class__, value), check, *args)


def outcome(key: Hashable, check: Callable[..., T], *args: Any) -> T:
    """``check(*args)``, or inside ``shared()`` the outcome it had for the same ``key`` (a key
    naming the check and every input it depends on)."""
    outcomes = _outcomes.get()
    if outcomes is None:
        return check(*args)
    found = outcomes.get(key)
    if found is None:
        try:
            found = (check(*args), None)
        except ValidationError as error:
            found = (None, error.error_list)
        outcomes[key] = found
    if found[1] is not None:
        raise ValidationError(list(found[1]))
    return found[0]


def json_key(value: Any) -> bytes | None:
    """The exact JSON text of a JSON object or list, as a key for its checks' outcome, or
    ``None`` when it is checked on its own: any other value; one holding what the text
    would not tell apart (``null`` is also how orjson writes NaN and Infinity), or what
    orjson does not write as plain JSON (dates, subclasses, keys that are not text, lone
    surrogates, integers beyond 64 bits). Equal texts are equal values of equal types, up
    to a tuple for a list, which every JSON check treats alike."""
    if value.__class__ is not dict and value.__class__ is not list:
        return None
    text = json_text.plain(value)
    return None if text is None or b"null" in text else text


def outcomes() -> dict[tuple, Any] | None:
    """The outcomes shared inside ``shared()`` (by a key naming the check and every input it
    depends on), for a caller that keeps its own there; ``None`` outside."""
    return _outcomes.get()
