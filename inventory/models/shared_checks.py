"""Field checks shared by the rows of one batch: each distinct value is checked once per field.

An import validates thousands of rows whose ``format``, ``family``, ``tags``,
``capabilities`` or ``status`` repeat. Inside ``shared()`` a field check of a scalar value
(a string, number or boolean) already checked for the same field returns the same outcome —
the normalized value, or the same errors — instead of running again. The checks are the
field's own (``Field.clean``, the storable-value check); only their repetition is skipped.
Relations are never shared (their check reads the database per row), and the sharing ends
with the batch (``shared()`` is opened per chunk of rows), so a vocabulary changed between
chunks is seen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

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


def once(kind: str, field: models.Field, value: Any, check: Callable[[], T]) -> T:
    """``check()`` — the ``kind`` check of ``value`` for ``field`` — or, inside ``shared()``,
    the outcome it had for an equal value of the same type (its result, or its
    ``ValidationError`` raised again)."""
    if value.__class__ not in SHAREABLE or field.is_relation:
        return check()
    return outcome((kind, id(field), value.__class__, value), check)


def outcome(key: Hashable, check: Callable[[], T]) -> T:
    """``check()``, or inside ``shared()`` the outcome it had for the same ``key`` (a key
    naming the check and every input it depends on)."""
    outcomes = _outcomes.get()
    if outcomes is None:
        return check()
    found = outcomes.get(key)
    if found is None:
        try:
            found = (check(), None)
        except ValidationError as error:
            found = (None, error.error_list)
        outcomes[key] = found
    if found[1] is not None:
        raise ValidationError(list(found[1]))
    return found[0]


def active() -> bool:
    """Whether checks are shared here (inside ``shared()``)."""
    return _outcomes.get() is not None
