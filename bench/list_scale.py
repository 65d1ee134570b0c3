#!/usr/bin/env python
"""How list requests scale: the same SDK calls on a small and on a large ``model_registry``.

    .venv/bin/python bench/list_scale.py --rows 100000

The benchmark never touches the database named by ``DATABASE_URL``: on PostgreSQL it creates
a throwaway database next to it (the role needs ``CREATEDB``), on SQLite a temporary file;
both are removed at the end. It migrates that database, bulk-inserts ``--small`` rows,
measures, grows the table to ``--rows`` rows, measures again and prints, per operation, the
median time on each table and their ratio. A ratio near 1 means the operation does not
depend on table size; a ratio near the row ratio means it reads the whole table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 5000
ENGINES = 12
FAMILIES = ("llama", "qwen", "mistral", "gemma", "phi", "nomic", "bge", "whisper", "piper", "yolo")
# (capabilities, weight): "reranking" is rare (about 1%), "chat" is common.
CAPABILITY_MIX = (
    ("chat,tool_calling", 40),
    ("chat", 20),
    ("embedding", 15),
    ("reasoning,chat", 10),
    ("stt,audio", 5),
    ("tts,audio", 5),
    ("detection", 4),
    ("reranking,embedding", 1),
)
STATUSES = ("available", "active", "downloading", "error", "disabled")


@contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """A new, empty database of the same kind as ``url``; dropped afterwards."""
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres"):
        yield from _postgres_database(url)
    elif scheme.startswith("sqlite") or not url:
        with tempfile.TemporaryDirectory(prefix="list-scale-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
    else:
        raise SystemExit(f"unsupported database URL scheme {scheme!r}")


def _postgres_database(url: str) -> Iterator[str]:
    import psycopg

    parts = urlsplit(url)
    name = f"bench_list_scale_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "registry_site.test_settings"
    os.environ["CONN_MAX_AGE"] = "0"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def insert_rows(start: int, stop: int, engine_ids: list[int], seed: int) -> None:
    """Bulk-insert registered models ``start..stop-1`` (bypassing validation on purpose)."""
    from inventory.models import RegisteredModel

    rng = random.Random(seed + start)
    mixes = [caps for caps, _ in CAPABILITY_MIX]
    weights = [weight for _, weight in CAPABILITY_MIX]
    for low in range(start, stop, BATCH):
        batch = []
        for index in range(low, min(low + BATCH, stop)):
            family = FAMILIES[index % len(FAMILIES)]
            capabilities = rng.choices(mixes, weights)[0]
            batch.append(
                RegisteredModel(
                    name=f"{family}-{index:07d}",
                    engine_id=engine_ids[index % len(engine_ids)],
                    model_path=f"models/{family}/{index:07d}/model.gguf",
                    vram_required_mb=rng.choice((0, 2048, 4096, 8192, 24576)),
                    ram_required_mb=rng.choice((0, 512, 1024, 4096)),
                    is_downloaded=rng.random() < 0.6,
                    capabilities=capabilities,
                    extra_config={"dim": 768} if "embedding" in capabilities else {},
                    status=rng.choice(STATUSES),
                )
            )
        RegisteredModel.objects.bulk_create(batch)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE model_registry")
        else:
            cursor.execute("ANALYZE")


def operations(deep_page: int) -> list[tuple[str, Callable[[], Any]]]:
    """The measured SDK calls; ``deep_page`` is a 25-row page inside the small table."""
    from inventory.sdk import module_sdk

    models = module_sdk.models.model_registry
    return [
        (
            "list capabilities=reranking (1%)",
            lambda: models.list(filters={"capabilities": "rerank"}),
        ),
        (
            "list capabilities=chat,tool_calling",
            lambda: models.list(filters={"capabilities": "chat,tool_calling"}),
        ),
        (
            "list capabilities=stt,audio sort=-name",
            lambda: models.list(filters={"capabilities": "stt,audio"}, sort="-name"),
        ),
        ("list name~'whisper'", lambda: models.list(filters={"name": "WHISPER"})),
        ("list name~'0001234' (rare)", lambda: models.list(filters={"name": "0001234"})),
        ("list q='models/phi'", lambda: models.list(filters={"q": "models/phi"})),
        (
            "list status=error is_downloaded=1",
            lambda: models.list(filters={"status": "error", "is_downloaded": 1}),
        ),
        ("list page 0 x200 sort=id", lambda: models.list(page_size=200)),
        (
            f"list page {deep_page} x25 (offset {deep_page * 25:,}) sort=id",
            lambda: models.list(page=deep_page, page_size=25),
        ),
        (
            f"list page {deep_page} x25 (offset {deep_page * 25:,}) sort=name",
            lambda: models.list(page=deep_page, page_size=25, sort="name"),
        ),
        ("count all", lambda: models.count()),
        ("count capabilities=embedding", lambda: models.count({"capabilities": "embedding"})),
        ("count capabilities=reranking", lambda: models.count({"capabilities": "reranking"})),
        ("view id", lambda: models.view(1)),
    ]


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm caches and the connection
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(repeat: int, deep_page: int) -> dict[str, float]:
    return {label: median_ms(call, repeat) for label, call in operations(deep_page)}


def capability_plan() -> str:
    """The first line of the plan of the capability count, to show whether the index is used."""
    from django.db import connection

    from inventory.declarations import REGISTERED_MODELS
    from inventory.listing import ListRequest

    if connection.vendor != "postgresql":
        return "(plans are shown on PostgreSQL only)"
    queryset = ListRequest.build(REGISTERED_MODELS, {"capabilities": "reranking"}).filtered()
    lines = queryset.explain().splitlines()
    return next((line.strip() for line in lines if "Index" in line), lines[0].strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="large table size")
    parser.add_argument("--small", type=int, default=5_000, help="small table size")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per operation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="server to create the throwaway database on (default: DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.small < args.rows:
        parser.error("need 0 < --small < --rows")

    with throwaway_database(args.database_url) as url:
        setup_django(url)
        from django.db import connection

        from inventory.models import Engine

        engines = Engine.objects.bulk_create(
            Engine(name=f"engine-{index}", provider="ollama") for index in range(ENGINES)
        )
        engine_ids = [engine.pk for engine in engines]
        print(f"database: {connection.vendor} (throwaway {connection.settings_dict['NAME']})")

        deep_page = args.small // 2 // 25
        started = time.perf_counter()
        insert_rows(0, args.small, engine_ids, args.seed)
        analyze()
        small_insert = time.perf_counter() - started
        small = measure(args.repeat, deep_page)

        started = time.perf_counter()
        insert_rows(args.small, args.rows, engine_ids, args.seed)
        analyze()
        large_insert = time.perf_counter() - started
        large = measure(args.repeat, deep_page)
        plan = capability_plan()

    growth = args.rows / args.small
    print(
        f"rows: small {args.small:,} (inserted in {small_insert:.1f} s), "
        f"large {args.rows:,} (+{args.rows - args.small:,} in {large_insert:.1f} s); "
        f"row ratio x{growth:g}; median of {args.repeat} runs"
    )
    width = max(len(label) for label in small)
    print(f"{'operation':<{width}}  {'small ms':>9}  {'large ms':>9}  {'ratio':>6}")
    for label, small_ms in small.items():
        large_ms = large[label]
        print(f"{label:<{width}}  {small_ms:9.2f}  {large_ms:9.2f}  {large_ms / small_ms:6.1f}")
    print(f"capability filter plan on the large table: {plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
