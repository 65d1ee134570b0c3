#!/usr/bin/env python
"""Keyset walks and whole-table exports of registered models, at 10,000 and (``--big``)
1,000,000 rows; also a section of ``bench/scale.py``.

    .venv/bin/python bench/scale_streams.py                 # SQLite, 10k
    DATABASE_URL=postgres://…/registry .venv/bin/python bench/scale_streams.py --big

Walks: the first and the last 200-row page of a keyset walk (``cursor``) through the SDK and
the API, unfiltered and filtered by one status, against page 0 and the last page read by
offset (``page``); medians of interleaved rounds. Exports: the web JSON and CSV exports of the
whole table (``/models/export.json`` and ``.csv`` through Django's test client, streamed) and
the ``export_inventory`` command (JSON), each in a forked process, with its wall and CPU time
and the process's peak resident memory.

The database is built as ``bench/scale.py`` builds it (``<name>_bench`` next to
``DATABASE_URL``, dropped unless ``--keep``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGE = 200
WALK_FILTERS: dict[str, dict[str, Any]] = {"none": {}, "status": {"status": "downloading"}}
EXPORTS = ("web json", "web csv", "command json")


def _last_cursor(filters: dict[str, Any]) -> tuple[str, int]:
    """The cursor of the last page's start (the row before it), and the last page number."""
    from inventory.declarations import REGISTERED_MODELS
    from inventory.keyset import Keyset
    from inventory.listing import ListRequest

    keyset = Keyset(ListRequest.build(REGISTERED_MODELS, filters))
    total = keyset.ordered().count()
    last_page = max(0, (total - 1) // PAGE)
    if not last_page:
        return "", 0
    before = keyset.ordered().values(keyset.attr, "id")[last_page * PAGE - 1]
    return keyset.encode(keyset.key_of(before)), last_page


def measure_walks(client: Any, repeat: int) -> dict[tuple[str, str], float]:
    """Median ms of the first and last page, by keyset and by offset, per filter and door."""
    from urllib.parse import urlencode

    from inventory.sdk import module_sdk

    models = module_sdk.models.model_registry
    calls: dict[tuple[str, str], Callable[[], Any]] = {}
    for label, filters in WALK_FILTERS.items():
        cursor, last_page = _last_cursor(filters)
        query = urlencode({**filters, "page_size": PAGE})

        def api(extra: dict[str, Any], query: str = query) -> Callable[[], Any]:
            url = f"/api/v1/model-registry/?{query}&{urlencode(extra)}"
            return lambda: client.get(url).content

        calls.update(
            {
                (label, "sdk keyset first"): lambda f=filters: models.list(
                    page_size=PAGE, filters=f, cursor=""
                ),
                (label, "sdk keyset last"): lambda f=filters, c=cursor: models.list(
                    page_size=PAGE, filters=f, cursor=c
                ),
                (label, "api keyset first"): api({"cursor": ""}),
                (label, "api keyset last"): api({"cursor": cursor}),
                (label, "sdk offset first"): lambda f=filters: models.list(
                    page=0, page_size=PAGE, filters=f
                ),
                (label, "sdk offset last"): lambda f=filters, p=last_page: models.list(
                    page=p, page_size=PAGE, filters=f
                ),
            }
        )
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in calls}
    for call in calls.values():
        call()
    for _ in range(repeat):
        for key, call in calls.items():
            started = time.perf_counter()
            call()
            samples[key].append((time.perf_counter() - started) * 1000)
    return {key: statistics.median(values) for key, values in samples.items()}


def _run_export(kind: str, client: Any) -> None:
    if kind == "command json":
        from django.core.management import call_command

        with tempfile.NamedTemporaryFile(suffix=".json") as target:
            call_command("export_inventory", "--format", "json", "-o", target.name)
        return
    response = client.get(f"/models/export.{kind.split()[1]}")
    assert response.status_code == 200, (kind, response.status_code)
    for _ in response.streaming_content:
        pass


def _export_child(kind: str, client: Any, queue: Any) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    _run_export(kind, client)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((time.perf_counter() - started, time.process_time() - cpu, peak_kb / 1024))


def measure_exports(client: Any) -> dict[str, tuple[float, float, float]]:
    """``kind -> (wall s, CPU s, peak RSS MB)``, each export in a forked process."""
    from django.db import connections

    context = multiprocessing.get_context("fork")
    figures = {}
    for kind in EXPORTS:
        connections.close_all()
        queue = context.Queue()
        process = context.Process(target=_export_child, args=(kind, client, queue))
        process.start()
        figures[kind] = queue.get()
        process.join()
    return figures


def measure(client: Any, repeat: int, exports: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {"walks": measure_walks(client, repeat)}
    if exports:
        figures["exports"] = measure_exports(client)
    return figures


def report(figures: dict[str, Any]) -> None:
    walks = figures["walks"]
    for label in WALK_FILTERS:
        for way in ("sdk keyset", "api keyset", "sdk offset"):
            first, last = walks[label, f"{way} first"], walks[label, f"{way} last"]
            print(
                f"walk (filter {label}) {way}: first page {first:.1f} ms, last page "
                f"{last:.1f} ms (last x{last / first:.2f} first)"
            )
    if "exports" in figures:
        exports = figures["exports"]
        for kind, (wall, cpu, peak) in exports.items():
            print(f"export {kind}: {wall:.1f} s, CPU {cpu:.1f} s, peak {peak:.0f} MB")
        csv_cpu, json_cpu = exports["web csv"][1], exports["web json"][1]
        command_cpu = exports["command json"][1]
        print(
            f"export CSV CPU x{csv_cpu / json_cpu:.2f} web JSON, x{csv_cpu / command_cpu:.2f} "
            "export_inventory JSON"
        )


def main(argv: list[str] | None = None) -> int:
    from list_scale import setup_django
    from scale import BIG, SMALL, bench_database, built_sizes, logged_in_client

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help=f"also {BIG:,} rows (PostgreSQL)")
    parser.add_argument("--small", type=int, default=SMALL)
    parser.add_argument("--rows", type=int, default=BIG, help="big size with --big")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (median)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--no-exports", action="store_true", help="skip the exports")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    if args.big and not args.database_url.startswith("postgres"):
        parser.error("--big needs a PostgreSQL DATABASE_URL")
    with bench_database(args.database_url, args.keep) as url:
        setup_django(url)
        for _rows, _engines in built_sizes([args.small] + ([args.rows] if args.big else [])):
            report(measure(logged_in_client(), args.repeat, not args.no_exports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
