#!/usr/bin/env python
"""Catalog import rate and peak memory, through the same import as the command and the API.

    .venv/bin/python bench/import_catalog.py [--rows 10000 100000] [--format json]

Each run imports into a new, empty database of its own, dropped afterwards: a temporary
SQLite file by default; with a PostgreSQL ``DATABASE_URL``, a copy of a template migrated
once, both created next to that database (the role needs ``CREATEDB``), which itself is
never touched. Each run
runs in its own process, so the peak resident memory (``ru_maxrss``) belongs to that size: it
covers writing the import file (JSON, or YAML or CSV with ``--format``), reading it back row
by row as the command and the API do, validating every row by the model's own checks (field
checks and ``clean()``, a value repeated in a chunk of 1,000 rows checked once per field),
writing them in one transaction and the per-row report. ``rows/s`` is the rate of that
first import (every row created); ``update/s`` the rate of importing the same rows again
with one field changed (every row updated). Each size runs with change history off and on,
alternately, ``--repeat`` times (default 3); the best run of each is shown, and the ratio
of the rates shows what recording every row costs, by wall time and by the CPU time of the
importing process (which other load on the machine does not inflate). ``rows/cpu-s`` and
``upd/cpu-s`` are the rates by that CPU time (the database server's own work left out).
Targets at 100,000 rows on PostgreSQL: 10,000 created and 5,000 updated rows per second,
a peak of 150 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CAPABILITIES = ("chat,tool_calling", "chat", "embedding", "reasoning,chat", "stt,audio")


def catalog_rows(rows: int, prefix: str, family: str) -> Iterator[dict]:
    for index in range(rows):
        capabilities = CAPABILITIES[index % len(CAPABILITIES)]
        yield (
            {
                "name": f"{prefix}/model-{index:07d}",
                "family": family,
                "format": "gguf",
                "capabilities": capabilities,
                "tags": "bench,import",
                "requirements": {"vram_mb": index % 48000, "ram_mb": 2048},
                "extra_config": {"dim": 768} if "embedding" in capabilities else {},
                "source_payload": {"compatible_engines": ["llamacpp", "ollama"]},
            }
        )


def write_document(
    path: Path, rows: int, prefix: str, family: str = "bench", fmt: str = "json"
) -> int:
    """Write the import file row by row (never whole in memory); its size in bytes. JSON: one
    ``catalog`` list; YAML: the same rows as a block sequence of flow mappings; CSV: one
    column per key, JSON values as JSON text."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            writer = None
            for row in catalog_rows(rows, prefix, family):
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(
                    {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                )
            return path.stat().st_size
        handle.write('{"catalog": [\n' if fmt == "json" else "catalog:\n")
        for index, row in enumerate(catalog_rows(rows, prefix, family)):
            separator = ("," if index else "") if fmt == "json" else "- "
            handle.write(separator + json.dumps(row) + "\n")
        handle.write("]}\n" if fmt == "json" else "")
    return path.stat().st_size


def import_file(path: Path, fmt: str = "json") -> dict:
    from inventory.workflows import transfer

    with path.open("rb") as handle:
        return transfer.import_document(transfer.parse(handle, fmt), apply=True)


class RunDatabases:
    """A new, empty, migrated database for each run, so every run starts from the same state
    and nothing is left behind. On PostgreSQL (``server``, a ``DATABASE_URL``; the role needs
    ``CREATEDB``) a template ``<name>_import_template`` is migrated once and copied for each
    run into ``<name>_import``, dropped after it; the database ``server`` names is never
    touched. Otherwise each run migrates a temporary SQLite file."""

    def __init__(self, server: str) -> None:
        self.postgres = server.startswith("postgres")
        self.described = (
            f"a new database per run next to {server.split('@')[-1]}"
            if self.postgres
            else "a new temporary SQLite file per run"
        )
        if not self.postgres:
            return
        parts = urlsplit(server)
        name = parts.path.lstrip("/") or "registry"
        self.admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        self.template, self.run = f"{name}_import_template", f"{name}_import"
        self.run_url = urlunsplit(parts._replace(path=f"/{self.run}"))
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.template}"')
        template_url = urlunsplit(parts._replace(path=f"/{self.template}"))
        subprocess.run(
            [sys.executable, __file__, "--migrate-only"],
            env={**os.environ, "DATABASE_URL": template_url, "BENCH_MIGRATE": "1"},
            check=True,
        )

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(sql)

    @contextmanager
    def fresh(self) -> Iterator[str]:
        """The URL of a new database for one run (dropped afterwards)."""
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.run}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.run}" TEMPLATE "{self.template}"')
            try:
                yield self.run_url
            finally:
                self._admin(f'DROP DATABASE IF EXISTS "{self.run}" WITH (FORCE)')
            return
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"  # migrated by the run (BENCH_MIGRATE)

    def close(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_one(rows: int, migrate_only: bool = False) -> None:
    """Import ``rows`` catalog rows in this process and print one result line as JSON (with
    ``migrate_only``, only migrate the database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry_site.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    from inventory.history import recording

    if os.environ.get("BENCH_HISTORY") == "0":
        recording.suspended().__enter__()

    if os.environ.get("BENCH_MIGRATE") == "1":
        call_command("migrate", verbosity=0)
        if migrate_only:
            return
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    fmt = os.environ.get("BENCH_FORMAT", "json")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"catalog.{fmt}"
        size = write_document(path, rows, prefix, fmt=fmt)
        start, cpu = time.perf_counter(), time.process_time()
        report = import_file(path, fmt)
        elapsed, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        created = report["counts"]["catalog"]["created"]
        del report
        write_document(path, rows, prefix, family="bench-updated", fmt=fmt)
        start, cpu = time.perf_counter(), time.process_time()
        report = import_file(path, fmt)
        update_seconds, update_cpu = time.perf_counter() - start, time.process_time() - cpu
        updated = report["counts"]["catalog"]["updated"]
    peak_mb = peak_rss_mb()
    result = {
        "rows": rows,
        "created": created,
        "seconds": elapsed,
        "updated": updated,
        "update_seconds": update_seconds,
        "cpu_seconds": cpu_seconds,
        "update_cpu_seconds": update_cpu,
        "file_mb": size / (1024 * 1024),
        "peak_mb": peak_mb,
    }
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size and mode; the best is shown"
    )
    parser.add_argument(
        "--format",
        choices=("json", "yaml", "csv"),
        default="json",
        help="the import file's format (default json)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--migrate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.migrate_only:
        run_one(0, migrate_only=True)
        return 0
    if args.one:
        run_one(args.one)
        return 0
    env = dict(os.environ)
    server = env.get("DATABASE_URL", "")
    runs = RunDatabases(server)
    if not runs.postgres:
        env["BENCH_MIGRATE"] = "1"
    database = runs.described
    env["BENCH_FORMAT"] = args.format
    shown = "" if args.format == "json" else f", from {args.format.upper()} files"
    print(f"catalog import into {database}{shown}")
    print(
        f"{'rows':>8}  {'history':>7}  {'file MB':>8}  {'seconds':>8}  {'rows/s':>8}"
        f"  {'update/s':>8}  {'peak MB':>8}  {'rows/cpu-s':>10}  {'upd/cpu-s':>10}"
    )
    try:
        for rows in args.rows:
            best: dict[str, dict] = {}
            for _ in range(max(1, args.repeat)):
                for history in ("off", "on"):  # alternated, so load changes hit both alike
                    with runs.fresh() as url:
                        output = subprocess.run(
                            [sys.executable, __file__, "--one", str(rows)],
                            env={
                                **env,
                                "DATABASE_URL": url,
                                "BENCH_HISTORY": "0" if history == "off" else "1",
                            },
                            check=True,
                            capture_output=True,
                            text=True,
                        ).stdout
                    result = json.loads(output.strip().splitlines()[-1])
                    assert result["created"] == result["updated"] == rows, result
                    kept = best.setdefault(history, result)
                    for key in ("seconds", "update_seconds", "cpu_seconds", "update_cpu_seconds"):
                        kept[key] = min(kept[key], result[key])
            rates = {}
            for history, result in best.items():
                rate = rows / result["seconds"]
                update_rate = rows / result["update_seconds"]
                rates[history] = (rate, update_rate)
                print(
                    f"{rows:>8}  {history:>7}  {result['file_mb']:>8.1f}"
                    f"  {result['seconds']:>8.2f}  {rate:>8.0f}  {update_rate:>8.0f}"
                    f"  {result['peak_mb']:>8.0f}  {rows / result['cpu_seconds']:>10.0f}"
                    f"  {rows / result['update_cpu_seconds']:>10.0f}"
                )
            print(
                f"{rows:>8}  history on/off: create rate x{rates['on'][0] / rates['off'][0]:.2f},"
                f" update rate x{rates['on'][1] / rates['off'][1]:.2f}"
            )
            cpu = {
                mode: (best[mode]["cpu_seconds"], best[mode]["update_cpu_seconds"]) for mode in best
            }
            print(
                f"{rows:>8}  history on/off by CPU time of the importing process (steadier on a"
                f" busy machine; a database server's own CPU not included):"
                f" create rate x{cpu['off'][0] / cpu['on'][0]:.2f},"
                f" update rate x{cpu['off'][1] / cpu['on'][1]:.2f}"
            )
    finally:
        runs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
