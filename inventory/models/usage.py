"""Which rows use a vocabulary term: what refuses its removal."""

from __future__ import annotations

from django.db import models

from ..listing import HasAllTokens
from .available_model import AvailableModel
from .engine import Engine
from .registered_model import RegisteredModel

#: kind → (model, field, whether the field is a CSV list of terms)
USES: dict[str, tuple[tuple[type[models.Model], str, bool], ...]] = {
    "capability": ((AvailableModel, "capabilities", True), (RegisteredModel, "capabilities", True)),
    "feature": ((AvailableModel, "extended_capabilities", True),),
    "format": ((AvailableModel, "format", False),),
    "provider": ((Engine, "provider", False), (AvailableModel, "provider_hint", False)),
}

SAMPLE = 3


def rows_using(kind: str, name: str) -> list[tuple[str, int, list[str]]]:
    """(what, how many rows, up to three row names) for each place that uses the term."""
    found: list[tuple[str, int, list[str]]] = []
    for model, field, is_list in USES.get(kind, ()):
        queryset = model._default_manager.all()
        if is_list:
            queryset = queryset.filter(HasAllTokens(field, [name]))
        else:
            queryset = queryset.filter(**{field: name})
        names = list(queryset.order_by("name").values_list("name", flat=True)[:SAMPLE])
        if names:
            count = len(names) if len(names) < SAMPLE else queryset.count()
            plural = model._meta.verbose_name_plural
            found.append((f"{plural} ({field})", count, names))
    return found
