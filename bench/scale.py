#!/usr/bin/env python
"""Where list time goes, at 10,000 and (``--big``) 1,000,000 registered models.

    .venv/bin/python bench/scale.py                 # 10k rows
    DATABASE_URL=postgres://…/registry .venv/bin/python bench/scale.py --big

For each filter (one status, one capability, status and capability, one engine, a name
substring matching under 1% of the rows) it measures, interleaved and repeated (median), the
SDK list, the API list (Django's test client with a logged-in superuser's session, and as
``api token`` with that user's bearer token, as modules call it), the web page, the admin
changelist and the raw floor: the same SQL run on the bare cursor (count, then the
200-row page) and ``json.dumps`` of the rows. Each figure is printed in ms with its ratio to
the floor and, with ``--big``, its ratio 1M/10k. Then page 0 against the last page, the time
django-tables2 takes to render a 200-row page against that page's SQL, serialization of a
200-row page against ``json.dumps``, whole pages against their own SQL and the 200-row page
against its floor (``scale_rows.py``, ``page_floor.py``), and the keyset walks and exports
of ``bench/scale_streams.py``.

It never touches the database named by ``DATABASE_URL``: it creates ``<name>_bench`` next to
it on PostgreSQL (the role needs ``CREATEDB``) or a temporary SQLite file, and drops it at
the end unless ``--keep``. Rows are inserted with ``generate_series`` SQL on PostgreSQL and
``bulk_create`` on SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_rows  # noqa: E402
import scale_streams  # noqa: E402
from list_scale import ENGINES, analyze, insert_rows, setup_django  # noqa: E402
from scale_counts import measure_counts, report_counts  # noqa: E402

SMALL = 10_000
BIG = 1_000_000
PAGE = 200
# The name filter matches ten rows in every 100,000 ("…-00012xx" of each family cycle).
FILTERS: dict[str, dict[str, Any]] = {
    "status": {"status": "downloading"},
    "capability": {"capabilities": "embedding"},
    "status+capability": {"status": "downloading", "capabilities": "embedding"},
    "engine": {"engine_id": "ENGINE"},
    "name <1%": {"name": "-00012"},
}
DOORS = ("floor", "sdk", "api", "api token", "page", "admin")


@contextmanager
def bench_database(url: str, keep: bool) -> Iterator[str]:
    """A new, empty database of the same kind as ``url``; dropped afterwards unless ``keep``."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        folder = tempfile.mkdtemp(prefix="scale-bench-")
        yield f"sqlite:///{folder}/bench.sqlite3"
        if not keep:
            Path(folder, "bench.sqlite3").unlink(missing_ok=True)
            os.rmdir(folder)
        return
    import psycopg

    name = f"{parts.path.lstrip('/') or 'registry'}_bench"
    admin_url = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ``generate_series`` twin of ``list_scale.insert_rows``: same names, mix and spread.
SERIES_SQL = """
INSERT INTO model_registry (name, engine_id, model_path, vram_required_mb, ram_required_mb,
    is_downloaded, remote_url, version, capabilities, extra_config, status,
    created_at, updated_at)
SELECT f.family || '-' || lpad(g::text, 7, '0'), (%(engines)s::bigint[])[1 + g %% %(n_engines)s],
    'models/' || f.family || '/' || lpad(g::text, 7, '0') || '/model.gguf',
    (ARRAY[0, 2048, 4096, 8192, 24576])[1 + (g * 7) %% 5], (ARRAY[0, 512, 1024, 4096])[1 + g %% 4],
    (g * 13) %% 10 < 6, '', '', c.caps,
    CASE WHEN c.caps LIKE '%%embedding%%' THEN '{"dim": 768}'::jsonb ELSE '{}'::jsonb END,
    (ARRAY['available', 'active', 'downloading', 'error', 'disabled'])[1 + (g * 3) %% 5],
    now(), now()
FROM generate_series(%(start)s, %(stop)s - 1) AS g
CROSS JOIN LATERAL (SELECT (ARRAY['llama', 'qwen', 'mistral', 'gemma', 'phi', 'nomic', 'bge',
    'whisper', 'piper', 'yolo'])[1 + g %% 10] AS family) AS f
CROSS JOIN LATERAL (SELECT CASE
    WHEN (g * 37) %% 100 < 40 THEN 'chat,tool_calling' WHEN (g * 37) %% 100 < 60 THEN 'chat'
    WHEN (g * 37) %% 100 < 75 THEN 'embedding' WHEN (g * 37) %% 100 < 85 THEN 'chat,reasoning'
    WHEN (g * 37) %% 100 < 90 THEN 'audio,stt' WHEN (g * 37) %% 100 < 95 THEN 'audio,tts'
    WHEN (g * 37) %% 100 < 99 THEN 'detection' ELSE 'embedding,reranking' END AS caps) AS c
"""


def fill(start: int, stop: int, engine_ids: list[int]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        insert_rows(start, stop, engine_ids, seed=7)
        return
    with connection.cursor() as cursor:
        for low in range(start, stop, 250_000):
            cursor.execute(
                SERIES_SQL,
                {
                    "engines": engine_ids,
                    "n_engines": len(engine_ids),
                    "start": low,
                    "stop": min(low + 250_000, stop),
                },
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('model_registry', 'id'),"
            " (SELECT max(id) FROM model_registry))"
        )


def median_ms(call: Callable[[], Any], samples: list[float]) -> None:
    started = time.perf_counter()
    call()
    samples.append((time.perf_counter() - started) * 1000)


def floor_call(filters: dict[str, Any]) -> Callable[[], Any]:
    """Count and 200-row page of the SDK's own SQL on the bare cursor, then ``json.dumps``."""
    from django.db import connection

    from inventory.declarations import REGISTERED_MODELS
    from inventory.listing import ListRequest

    queryset = ListRequest.build(REGISTERED_MODELS, filters).filtered().order_by("id")
    count_sql, count_params = queryset.values("id").query.sql_with_params()
    page_sql, page_params = queryset.values()[:PAGE].query.sql_with_params()

    def call() -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({count_sql}) AS counted", count_params)
            cursor.fetchone()
            cursor.execute(page_sql, page_params)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps(rows, default=str)

    return call


def door_calls(client: Any, filters: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    from inventory.sdk import module_sdk

    models = module_sdk.models.model_registry
    query = urlencode(filters)
    api = f"/api/v1/model-registry/?{query}&page_size={PAGE}"

    def get(url: str, through: Any = client) -> Callable[[], Any]:
        def call() -> Any:
            response = through.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return call

    return {
        "floor": floor_call(filters),
        "sdk": lambda: models.list(filters=filters, page_size=PAGE),
        "api": get(api),
        "api token": get(api, token_client()),
        "page": get(f"/models/?{query}&page_size={PAGE}"),
        "admin": get(f"/admin/inventory/registeredmodel/?{query}"),
    }


def resolved(engine_id: int) -> dict[str, dict[str, Any]]:
    """``FILTERS`` with the engine filter naming ``engine_id``."""
    return {
        label: {k: (engine_id if v == "ENGINE" else v) for k, v in filters.items()}
        for label, filters in FILTERS.items()
    }


def measure_lists(client: Any, engine_id: int, repeat: int) -> dict[tuple[str, str], float]:
    """Median ms per (filter, door), every door of every filter interleaved in each round."""
    calls: dict[tuple[str, str], Callable[[], Any]] = {}
    for label, filters in resolved(engine_id).items():
        for door, call in door_calls(client, filters).items():
            calls[label, door] = call
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in calls}
    for call in calls.values():
        call()  # warm caches
    for _ in range(repeat):
        for key, call in calls.items():
            median_ms(call, samples[key])
    return {key: statistics.median(values) for key, values in samples.items()}


def measure_paging(total: int, repeat: int) -> dict[str, float]:
    from inventory.sdk import module_sdk

    models = module_sdk.models.model_registry
    last = max(0, (total - 1) // PAGE)
    calls = {
        "page 0": lambda: models.list(page=0, page_size=PAGE),
        f"page {last} (last)": lambda: models.list(page=last, page_size=PAGE),
    }
    samples: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(repeat):
        for key, call in calls.items():
            median_ms(call, samples[key])
    return {key: statistics.median(values) for key, values in samples.items()}


def measure_render(repeat: int) -> dict[str, float]:
    """django-tables2 rendering of a 200-row page against fetching the same rows."""
    from django.test import RequestFactory

    from inventory.web.columns import default_columns
    from inventory.web.entities import BY_SLUG
    from inventory.web.tables import TABLES

    inventory = BY_SLUG["models"]
    table_class = TABLES[inventory.key]
    queryset = inventory.table_queryset(default_columns(inventory)).order_by("id")
    request = RequestFactory().get("/models/")
    sql: list[float] = []
    render: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = list(queryset[:PAGE])
        sql.append((time.perf_counter() - started) * 1000)
        table = table_class(rows, request=request)
        started = time.perf_counter()
        table.as_html(request)
        render.append((time.perf_counter() - started) * 1000)
    return {"SQL (200 rows)": statistics.median(sql), "render": statistics.median(render)}


def logged_in_client() -> Any:
    """Django's test client, logged in as a superuser."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    user = get_user_model().objects.filter(username="bench").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    client.force_login(user)
    return client


def token_client() -> Any:
    """Django's test client calling as a module does: ``Authorization: Bearer`` with an API
    token of the bench superuser, no session."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from inventory.models import ApiToken

    user = get_user_model().objects.get(username="bench")
    token = ApiToken.issue(user, "bench")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def run_size(rows: int, repeat: int, engine_ids: list[int], exports: bool) -> dict[str, Any]:
    client = logged_in_client()
    figures: dict[str, Any] = {
        "lists": measure_lists(client, engine_ids[0], repeat),
        "paging": measure_paging(rows, repeat),
        "render": measure_render(repeat),
        "counts": measure_counts(resolved(engine_ids[0]), repeat),
        "rows": scale_rows.measure(client, repeat),
    }
    figures["streams"] = scale_streams.measure(client, repeat, exports)
    return figures


def report(sizes: dict[int, dict[str, Any]]) -> None:
    counts = sorted(sizes)
    first = sizes[counts[0]]
    for rows in counts:
        lists = sizes[rows]["lists"]
        print(f"\n== {rows:,} rows: median ms (x its floor)")
        print(f"{'filter':<18}" + "".join(f"{door:>17}" for door in DOORS))
        for label in FILTERS:
            floor = lists[label, "floor"]
            cells = [
                f"{lists[label, door]:8.1f} (x{lists[label, door] / floor:4.2f})" for door in DOORS
            ]
            print(f"{label:<18}" + "".join(f"{cell:>17}" for cell in cells))
        for key, value in sizes[rows]["paging"].items():
            print(f"paging {key}: {value:.1f} ms")
        sql, render = sizes[rows]["render"]["SQL (200 rows)"], sizes[rows]["render"]["render"]
        print(f"200-row table: SQL {sql:.1f} ms, render {render:.1f} ms (x{render / sql:.1f} SQL)")
        scale_rows.report(sizes[rows]["rows"])
        scale_streams.report(sizes[rows]["streams"])
    report_counts(sizes)
    if len(counts) > 1:
        big = sizes[counts[-1]]["lists"]
        print(f"\n== ratio {counts[-1]:,} / {counts[0]:,} rows")
        print(f"{'filter':<18}" + "".join(f"{door:>9}" for door in DOORS))
        for label in FILTERS:
            cells = [f"x{big[label, door] / first['lists'][label, door]:.1f}" for door in DOORS]
            print(f"{label:<18}" + "".join(f"{cell:>9}" for cell in cells))


def built_sizes(targets: list[int]) -> Iterator[tuple[int, list[int]]]:
    """The engines, then registered models grown to each size in turn (then ``ANALYZE``):
    yields the size and the engine ids once its rows are in."""
    from django.db import connection

    from inventory.models import Engine

    engines = Engine.objects.bulk_create(
        Engine(name=f"engine-{index}", provider="ollama") for index in range(ENGINES)
    )
    engine_ids = [engine.pk for engine in engines]
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    present = 0
    for rows in targets:
        started = time.perf_counter()
        fill(present, rows, engine_ids)
        analyze()
        present = rows
        print(f"{rows:,} rows ready in {time.perf_counter() - started:.1f} s", flush=True)
        yield rows, engine_ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help=f"also {BIG:,} rows (PostgreSQL)")
    parser.add_argument("--small", type=int, default=SMALL, help="small size (default 10k)")
    parser.add_argument("--rows", type=int, default=BIG, help="big size with --big")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (median)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--no-exports", action="store_true", help="skip the export timing")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="server to create the bench database on (default: DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args(argv)
    if args.big and not args.database_url.startswith("postgres"):
        parser.error("--big needs a PostgreSQL DATABASE_URL")

    with bench_database(args.database_url, args.keep) as url:
        setup_django(url)
        sizes: dict[int, dict[str, Any]] = {}
        for rows, engine_ids in built_sizes([args.small] + ([args.rows] if args.big else [])):
            sizes[rows] = run_size(rows, args.repeat, engine_ids, not args.no_exports)
    report(sizes)
    print(
        "\nimport create/update rates at 100k rows: .venv/bin/python bench/import_catalog.py"
        " (same DATABASE_URL)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
