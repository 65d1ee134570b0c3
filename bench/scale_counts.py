"""The count half of ``scale.py``: how each filter's ``total_rows`` is found and what it costs.

For each filter of ``scale.FILTERS`` it prints the method (``summary``: summed from the
trigger-kept ``model_registry_counts``; ``index-only`` or ``counted``: a ``COUNT(*)`` whose
PostgreSQL plan reads the index alone or visits the rows), the median ms of the count as the
list engine runs it, the median ms of ``COUNT(*)`` of the same rows (what it replaces), and
with two sizes the ratio of the big to the small. ``scale.py`` calls it for every size.
"""

from __future__ import annotations

import statistics
import time
from typing import Any


def count_method(queryset: Any) -> str:
    """``summary``, ``index-only`` or ``counted``: how ``queryset.count()`` is answered."""
    from django.db import connection

    from inventory.counts import summary_key

    if summary_key(queryset) is not None:
        return "summary"
    if connection.vendor != "postgresql":
        return "counted"
    sql, params = queryset.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS counted", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    reads_rows = "Seq Scan" in plan or "Heap" in plan or "Index Scan" in plan
    return "index-only" if "Index Only Scan" in plan and not reads_rows else "counted"


def measure_counts(filters: dict[str, dict[str, Any]], repeat: int) -> dict[str, tuple]:
    """Per filter label: (method, median ms of the list count, median ms of ``COUNT(*)``)."""
    from django.db import connection

    from inventory.declarations import REGISTERED_MODELS
    from inventory.listing import ListRequest

    figures = {}
    for label, given in filters.items():
        queryset = ListRequest.build(REGISTERED_MODELS, given).filtered()
        sql, params = queryset.values("id").query.sql_with_params()
        samples: dict[str, list[float]] = {"count": [], "star": []}
        for _ in range(repeat):
            started = time.perf_counter()
            queryset.count()
            samples["count"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
                cursor.fetchone()
            samples["star"].append((time.perf_counter() - started) * 1000)
        figures[label] = (
            count_method(queryset),
            statistics.median(samples["count"]),
            statistics.median(samples["star"]),
        )
    return figures


def report_counts(sizes: dict[int, dict[str, Any]]) -> None:
    """The count table: method and ms per size, and the ratio big/small."""
    counts = sorted(sizes)
    print("\n== counts (total_rows): method, median ms of the list's count (COUNT(*) ms)")
    print(f"{'filter':<18}{'method':>12}" + "".join(f"{rows:>22,}" for rows in counts), end="")
    print(f"{'ratio':>9}" if len(counts) > 1 else "")
    for label in sizes[counts[0]]["counts"]:
        method = sizes[counts[-1]]["counts"][label][0]
        cells = [
            f"{sizes[rows]['counts'][label][1]:8.2f} ({sizes[rows]['counts'][label][2]:8.1f})"
            for rows in counts
        ]
        line = f"{label:<18}{method:>12}" + "".join(f"{cell:>22}" for cell in cells)
        if len(counts) > 1:
            small, big = sizes[counts[0]]["counts"][label][1], sizes[counts[-1]]["counts"][label][1]
            line += f"{'x' + format(big / small, '.1f'):>9}"
        print(line)
