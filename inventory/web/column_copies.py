"""Columns whose per-table copies share what no table changes.

django-tables2 deep-copies every column of a table class for each table it builds (each
page). A column's accessor is a ``str`` subclass, which ``deepcopy`` rebuilds through
``__reduce_ex__``, and a declared column also holds its inventory, declared field, foreign
key and getter: copying them cost a 17-column page about half a millisecond. They are never
changed after the column is declared, so copies share them; the rest (``attrs`` and the
like) is still copied.
"""

from __future__ import annotations

import copy
from typing import Any


class SharedOnCopy:
    """Mixin for a ``django_tables2.Column``: ``shared_on_copy`` lists what its copies share."""

    def shared_on_copy(self) -> tuple[Any, ...]:
        return (self.accessor, self.verbose_name)  # type: ignore[attr-defined]

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        for value in self.shared_on_copy():
            memo[id(value)] = value
        clone = copy.copy(self)
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone
