"""Several attributes of an object read at once, for plans worked out once per model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any


def attribute_reader(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A reader of the attributes ``names`` of an object, as a tuple in that order, even for
    one name (``attrgetter`` alone gives the bare value then)."""
    getter = attrgetter(*names)
    if len(names) > 1:
        return getter
    return lambda item: (getter(item),)
