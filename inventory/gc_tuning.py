"""The garbage collector set for a long-running web process (``GC_THRESHOLD``).

Python's default runs a generation-0 collection every 700 net new container objects: a
200-row list request allocates tens of thousands, so several collections run inside each
request, and every tenth of them (generation 1) re-examines whatever the requests in flight
still hold, about 1.5 ms each. With a threshold of 5,000, a collection (about 1.2 ms) comes
once every few requests, mostly inside the ones that hold the most objects at once (pages
drawing a table), and all of them take a third of the time they took.

Once the application is loaded (``InventoryConfig.ready``), its modules, models, URL
patterns and settings live as long as the process: ``gc.freeze()`` moves them out of the
collected generations, so a full collection no longer walks them (about 75 ms down to
15 ms), and a worker forked from a preloaded master (``gunicorn --preload``) does not write
to their memory pages when it collects. Garbage left by start-up is collected first, so
none of it is kept frozen.
"""

from __future__ import annotations

import gc


def tune(threshold: int) -> None:
    """Collect the start-up garbage, freeze what is left and set the generation-0
    threshold; ``0`` leaves the collector as Python set it."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])
