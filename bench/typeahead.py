#!/usr/bin/env python
"""Server time of the typeahead requests and of the global search at 10,000 and 100,000 rows.

    .venv/bin/python bench/typeahead.py [--sizes 10000 100000] [--repeat 15]

The typeahead of the engine and catalog filters asks the list API
(``GET /api/v1/<entity>/?name=…&page_size=10&sort=name``); the global search runs the
search page and ``GET /api/v1/search/``. Each is called in-process through Django's test
client (so the time is the server's: routing, session, queries, serialization, no network)
on catalog and engine tables of each size, and the median milliseconds and SQL queries are
printed with the ratio to the smallest size. A rare text (a few rows) and a common one
(every row) are measured. Like ``list_scale.py`` it works in a throwaway database next to
``DATABASE_URL`` (PostgreSQL, the role needs ``CREATEDB``) or a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from list_scale import median_ms, setup_django, throwaway_database

BATCH = 5000
FAMILIES = ("llama", "qwen", "mistral", "gemma", "phi", "nomic", "bge", "whisper", "piper", "yolo")


def fill(start: int, stop: int) -> None:
    """Catalog rows and engines ``start..stop-1`` (bulk, bypassing validation on purpose)."""
    from inventory.models import AvailableModel, Engine

    for low in range(start, stop, BATCH):
        indexes = range(low, min(low + BATCH, stop))
        AvailableModel.objects.bulk_create(
            AvailableModel(
                name=f"{FAMILIES[index % 10]}-{index:07d}",
                label=f"{FAMILIES[index % 10]} {index}",
                family=FAMILIES[index % 10],
                tags="bench,gguf",
                storage_ref=f"models/{FAMILIES[index % 10]}/{index:07d}",
            )
            for index in indexes
        )
        Engine.objects.bulk_create(
            Engine(name=f"engine-{index:07d}", provider="vllm") for index in indexes
        )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE available_model_registry")
            cursor.execute("VACUUM ANALYZE engine_registry")
        else:
            cursor.execute("ANALYZE")


def calls(client: Any) -> list[tuple[str, Callable[[], Any]]]:
    def get(url: str, **params: Any) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url, params)
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    catalog = "/api/v1/available-model-registry/"
    engines = "/api/v1/engine-registry/"
    typeahead = {"page_size": 10, "sort": "name"}
    return [
        ("catalog typeahead, rare text", get(catalog, name="a-000123", **typeahead)),
        ("catalog typeahead, common text", get(catalog, name="qwen", **typeahead)),
        ("engine typeahead, rare text", get(engines, name="ne-000012", **typeahead)),
        ("engine typeahead, common text", get(engines, name="engine", **typeahead)),
        ("search page, rare text", get("/search/", q="gemma-000124")),
        ("search API, rare text", get("/api/v1/search/", q="gemma-000124")),
        ("search API, common text", get("/api/v1/search/", q="bench")),
    ]


def measure(client: Any, repeat: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, call in calls(client):
        call()  # warm the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            call()
        count = len(queries)  # read now: the next request empties the connection's log
        results[label] = (median_ms(call, repeat), count)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per call")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="server to create the throwaway database on (default: DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)

    with throwaway_database(args.database_url) as url:
        setup_django(url)
        from django.contrib.auth.models import User
        from django.db import connection
        from django.test import Client

        print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']})")
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.create_superuser("bench", password="bench-only"))
        found: dict[int, dict[str, tuple[float, int]]] = {}
        filled = 0
        for size in sizes:
            fill(filled, size)
            filled = size
            analyze()
            found[size] = measure(client, args.repeat)

    first = sizes[0]
    header = "".join(f"{size:>14,} rows" for size in sizes)
    print(f"{'median server time (ms) / queries':<34}{header}   ratio")
    for label in found[first]:
        cells = "".join(
            f"{found[size][label][0]:>11.1f} / {found[size][label][1]:<2}" for size in sizes
        )
        ratio = found[sizes[-1]][label][0] / max(found[first][label][0], 0.001)
        print(f"{label:<34}{cells}   {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
