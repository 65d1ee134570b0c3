"""Data preloaded once for a batch of row validations (bulk operations).

A model's ``clean()`` asks here before querying: outside a batch every lookup is its own
query, inside ``preloaded(...)`` the bulk operation has read everything the rules need in a
constant number of queries, so validating 1,000 rows costs what validating 10 does while
every row still runs the model's own rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Batch:
    #: ``KnowledgeSettings`` row (or ``None`` when there is none).
    knowledge: Any = None
    #: Engines by id, with ``vram_total_mb`` / ``ram_total_mb``.
    engines: dict[int, Any] = field(default_factory=dict)
    #: ``engine id -> [vram, ram]`` needed by active models, kept up to date by the caller
    #: as rows of the batch are validated.
    committed: dict[int, list[int]] = field(default_factory=dict)


_current: ContextVar[Batch | None] = ContextVar("inventory_batch", default=None)


def current() -> Batch | None:
    return _current.get()


@contextmanager
def preloaded(batch: Batch) -> Iterator[Batch]:
    token = _current.set(batch)
    try:
        yield batch
    finally:
        _current.reset(token)
