#!/usr/bin/env python
"""How bulk operations scale with the number of rows they touch.

    .venv/bin/python bench/bulk_scale.py [--rows 1000 10000]

Moves, edits (status, flag, an added capability), deactivates and deletes N registered
models through ``module_sdk.models.model_registry.select(...)`` and prints, per size and
operation, the seconds, rows/s, SQL queries, and the ratio of the query count to the smallest
size's (1.00: constant in the row count; change records are inserted in batches, so they add
one query per batch). Runs on a throwaway SQLite file unless ``DATABASE_URL`` is set (then
that migrated database; the rows it creates carry a unique ``bench-<random>-`` prefix and are
deleted at the end).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPERATIONS = ("move", "update", "deactivate", "delete")


def setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        handle, scratch = tempfile.mkstemp(suffix=".sqlite3")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
        os.environ["BENCH_MIGRATE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry_site.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    if os.environ.get("BENCH_MIGRATE") == "1":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def measure(rows: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory.models import Engine, RegisteredModel
    from inventory.sdk import module_sdk

    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    source = Engine.objects.create(name=f"{prefix}source", provider="ollama")
    target = Engine.objects.create(name=f"{prefix}target", provider="ollama")
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"{prefix}{index:07d}", engine=source, status="active")
        for index in range(rows)
    )
    selection = module_sdk.models.model_registry.select(filters={"name": prefix})
    calls = {
        "move": lambda: selection.move_to_engine(target.pk),
        "update": lambda: selection.update({"status": "active", "add_capabilities": "chat"}),
        "deactivate": lambda: selection.deactivate(),
        "delete": lambda: selection.delete(),
    }
    results = {}
    for name in OPERATIONS:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            calls[name]()
            results[name] = (time.perf_counter() - start, len(captured.captured_queries))
    Engine.objects.filter(name__startswith=prefix).delete()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    setup()
    from django.db import connection

    print(f"bulk operations on {connection.vendor}")
    print(f"{'rows':>8}  {'operation':>10}  {'seconds':>8}  {'rows/s':>9}  {'queries':>7}  ratio")
    base: dict[str, int] = {}
    for rows in sorted(args.rows):
        for name, (seconds, queries) in measure(rows).items():
            base.setdefault(name, queries)
            print(
                f"{rows:>8}  {name:>10}  {seconds:>8.2f}  {rows / seconds:>9.0f}  {queries:>7}"
                f"  {queries / base[name]:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
