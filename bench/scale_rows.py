"""What a page of rows costs beyond its data, for ``scale.py``: serialization against
``json.dumps`` and pages against their own SQL time.

* serialization: the 200 rows of the status+capability page serialized by the declaration
  (values read once, page context included, so no SQL is timed) against ``json.dumps`` of
  the same rows fetched by ``.values()``; also with the API's JSON renderer on top;
* pages: ``/models/``, ``/engines/`` and ``/catalog/`` at up to 200 rows, ``/models/``
  with a filter that matches no row (the page's cost without its rows), the floor of the
  200-row ``/models/`` page (``page_floor.py``: the same stack, session and statements,
  its rows fetched and its bytes answered, nothing rendered), and the
  registered-model admin changelist (its 100 rows) and the dashboard (figures over every
  registered model, no rows), each with the rows it shows (the bench
  fills registered models only: a handful of engines, no catalog), fetched with Django's
  test client (logged in), against the time their SQL takes inside the same request
  (measured with ``connection.execute_wrapper``); also the CPU time the request takes in
  this process (``time.thread_time``: the database's work left out, and steadier than wall
  time on a shared machine).

Each figure is the median of ``repeat`` rounds, interleaved.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import page_floor

PAGE = 200
SERIALIZED_FILTERS = {"status": "downloading", "capabilities": "embedding"}
PAGES = {
    "/models/": f"/models/?page_size={PAGE}",
    #: The same page with a filter no row matches: what the page costs without its rows.
    "/models/ (no row)": f"/models/?page_size={PAGE}&name=no-such-model",
    #: The least the first page can cost (``page_floor.py``), captured from it.
    "/models/ floor": page_floor.FLOOR_URL,
    "/engines/": f"/engines/?page_size={PAGE}",
    "/catalog/": f"/catalog/?page_size={PAGE}",
    "admin": "/admin/inventory/registeredmodel/",
    "dashboard": "/",
}


def _ms(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure_serialization(repeat: int) -> dict[str, float]:
    """Median ms of ``json.dumps`` of 200 ``.values()`` rows, of serializing the same rows
    (declaration), and of serializing them and rendering the API's JSON."""
    from rest_framework.renderers import JSONRenderer

    from inventory.declarations import REGISTERED_MODELS
    from inventory.listing import ListRequest

    request = ListRequest.build(REGISTERED_MODELS, SERIALIZED_FILTERS)
    plain = list(request.filtered().order_by("id").values()[:PAGE])
    values = REGISTERED_MODELS.page_values(request.ordered()[:PAGE])
    serialize = REGISTERED_MODELS.serialize
    renderer = JSONRenderer()
    calls = {
        "json.dumps": lambda: json.dumps(plain, default=str),
        "serialize": lambda: [serialize(item) for item in values],
        "serialize+render": lambda: renderer.render({"rows": [serialize(i) for i in values]}),
    }
    samples: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(repeat * 20):
        for key, call in calls.items():
            samples[key].append(_ms(call))
    figures = {key: statistics.median(items) for key, items in samples.items()}
    figures["rows"] = len(plain)
    return figures


def _page_rows() -> dict[str, int]:
    """How many rows each measured page shows (the bench fills registered models only)."""
    from inventory.models import AvailableModel, Engine, RegisteredModel

    models = RegisteredModel.objects.count()
    return {
        "/models/": min(PAGE, models),
        "/models/ (no row)": 0,
        "/models/ floor": min(PAGE, models),
        "/engines/": min(PAGE, Engine.objects.count()),
        "/catalog/": min(PAGE, AvailableModel.objects.count()),
        "admin": min(100, models),
        "dashboard": 0,  # no rows: counts and each engine's needs, over every row
    }


def measure_pages(client: Any, repeat: int) -> dict[str, tuple[float, float, int]]:
    """``{page: (median request ms, median SQL ms inside it, rows shown, median CPU ms)}``."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF=page_floor.__name__):
        return _measure_pages(client, repeat)


def _measure_pages(client: Any, repeat: int) -> dict[str, tuple[float, float, int, float]]:
    from django.db import connection

    sql_ms: list[float] = []

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms.append((time.perf_counter() - started) * 1000)

    def fetch(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    totals: dict[str, list[float]] = {key: [] for key in PAGES}
    cpus: dict[str, list[float]] = {key: [] for key in PAGES}
    sqls: dict[str, list[float]] = {key: [] for key in PAGES}
    for url in PAGES.values():
        fetch(url)  # warm caches
    page_floor.capture(client, PAGES["/models/"])
    for _ in range(repeat):
        for key, url in PAGES.items():
            sql_ms.clear()
            with connection.execute_wrapper(timed_sql):
                cpu = time.thread_time()
                totals[key].append(_ms(lambda url=url: fetch(url)))
                cpus[key].append((time.thread_time() - cpu) * 1000)
            sqls[key].append(sum(sql_ms))
    shown = _page_rows()
    return {
        key: (
            statistics.median(totals[key]),
            statistics.median(sqls[key]),
            shown[key],
            statistics.median(cpus[key]),
        )
        for key in PAGES
    }


def measure(client: Any, repeat: int) -> dict[str, Any]:
    return {
        "serialization": measure_serialization(repeat),
        "pages": measure_pages(client, repeat),
    }


def report(figures: dict[str, Any]) -> None:
    serialization = figures["serialization"]
    dumps = serialization["json.dumps"]
    print(
        f"serialization of {serialization['rows']:.0f} rows: json.dumps {dumps:.2f} ms, "
        f"serialize {serialization['serialize']:.2f} ms "
        f"(x{serialization['serialize'] / dumps:.2f} json.dumps), serialize + API JSON "
        f"{serialization['serialize+render']:.2f} ms "
        f"(x{serialization['serialize+render'] / dumps:.2f} json.dumps)"
    )
    pages = figures["pages"]
    for key, (total, sql, shown, cpu) in pages.items():
        print(
            f"page {key} ({shown} rows): {total:.1f} ms, its SQL {sql:.1f} ms (x{total / sql:.1f});"
            f" the server's own CPU {cpu:.1f} ms (x{cpu / sql:.1f} its SQL)"
        )
    page, floor = pages["/models/"][0], pages["/models/ floor"][0]
    print(f"page /models/ against its floor: x{page / floor:.1f}")
