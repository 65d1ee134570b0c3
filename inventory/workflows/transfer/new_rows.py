"""New, unsaved instances for an import's new rows, built by Django's fast path.

``Model()`` works out every field's default on each call (``Field.get_default``), through a
few calls per field. A default that is a fixed value (not a callable) and immutable is the
same on every call, so it is worked out once per model; a callable default (``dict`` for a
JSON field, ``timezone.now``) is still called for each instance. The instance is then built
from all its values by position, as Django builds a row read from the database: the same
``Model.__init__``, signals included, without looking each field up by keyword.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import models
from django.db.models.fields import NOT_PROVIDED

#: value types that are never changed in place, so one object may serve every instance
IMMUTABLE = (str, int, float, bool, type(None))


def new_instance(model: type[models.Model]) -> models.Model:
    """``model()``: a new instance holding every field's default."""
    return model(*[default() for default in _defaults(model)])


@cache
def _defaults(model: type[models.Model]) -> tuple[Callable[[], Any], ...]:
    """For each concrete field in order, what gives its default."""
    return tuple(_default(field) for field in model._meta.concrete_fields)


def _default(field: models.Field) -> Callable[[], Any]:
    fixed = (field.has_default() and not callable(field.default)) or (
        not field.has_default() and field.db_default is NOT_PROVIDED
    )
    if fixed:
        value = field.get_default()
        if isinstance(value, IMMUTABLE):  # a choices member is a str or int subclass
            return lambda: value
    return field.get_default
