"""Python's cyclic garbage collector during a long batch (an import of 100,000 rows).

A batch allocates millions of short-lived containers (rows, model instances, their values)
while its report grows. With the default thresholds the collector runs every 700
allocations and, as the report grows, sweeps the whole heap again and again: 10 to 25% of an
import's CPU time. Inside ``lighter()`` the objects that existed before are set aside
(``gc.freeze()``: never swept, never freed, until the block ends) and the youngest
generation is collected ten times less often. Memory freed by reference counting (almost
all of it) is freed as before; only garbage in reference cycles waits longer, at most one
collection. Blocks may nest or overlap in threads: the first one in changes the collector,
the last one out restores it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: how much less often the youngest generation is collected inside ``lighter()``
YOUNG_FACTOR = 10

_lock = threading.Lock()
_depth = 0
_thresholds: tuple[int, ...] = ()


@contextmanager
def lighter() -> Iterator[None]:
    """Collect less during the block (see the module)."""
    global _depth, _thresholds
    with _lock:
        _depth += 1
        if _depth == 1:
            _thresholds = gc.get_threshold()
            young, *older = _thresholds
            gc.freeze()
            gc.set_threshold(young * YOUNG_FACTOR, *older)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_thresholds)
                gc.unfreeze()
