#!/usr/bin/env python
"""Schemathesis over every API operation with every check, against gunicorn with DEBUG off.

    .venv/bin/python bench/schemathesis_all.py [--max-examples 100] [--seed 1]

It collects the static files (as production does), migrates a throwaway SQLite database (or
a fresh PostgreSQL database named by ``--database-url``; the tables are created there, so
give it an empty database), loads the demo inventory, issues a superuser token, serves the
site with gunicorn on a free local port and runs ``schemathesis run --checks all`` with
every phase (examples, coverage, fuzzing, and stateful, which follows the links the schema
publishes from each row to the operations on it). It prints the operations and cases
tested, the failures by check, and the responses that were server errors or error bodies
that are not JSON; the exit status is 1 when there are any.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port; returns the process and its base URL."""
    process = subprocess.Popen(
        # No request-line limit: gunicorn answers a longer URL itself, in HTML, before the
        # application sees it; this run measures the application's answers.
        [
            str(BIN / "gunicorn"),
            "registry_site.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "2",
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stderr=log.open("w"),
    )
    for _ in range(200):
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return process, found.group(1)
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()}")


def figures(events: Path) -> dict[str, Any]:
    """Figures from schemathesis' NDJSON event stream (every case, check and response)."""
    per_operation: collections.Counter[str] = collections.Counter()
    cases = 0
    failures: collections.Counter[str] = collections.Counter()
    statuses: collections.Counter[str] = collections.Counter()
    server_errors: list[str] = []
    not_json: list[str] = []
    links = 0
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if "LoadingFinished" in event:
            links = event["LoadingFinished"]["statistic"]["transitions"]["total"]
        recorder = event.get("ScenarioFinished", {}).get("recorder")
        if not recorder:
            continue
        if " /" in recorder["label"]:
            per_operation[recorder["label"]] += len(recorder.get("cases", {}))
        cases += len(recorder.get("cases", {}))
        for checks in recorder.get("checks", {}).values():
            for check in checks:
                if check["status"] != "success":
                    failures[check["name"]] += 1
        for interaction in recorder.get("interactions", {}).values():
            response = interaction.get("response")
            if not response:
                continue
            code = response["status_code"]
            statuses[f"{code // 100}xx"] += 1
            request = f"{interaction['request']['method']} {interaction['request']['uri']}"
            if code >= 500:
                server_errors.append(f"{code} {request}")
            content_type = " ".join(response["headers"].get("content-type", []))
            if (
                code >= 400
                and "json" not in content_type
                and interaction["request"]["method"] != "HEAD"
            ):
                not_json.append(f"{code} {content_type or '(no content type)'} {request}")
    return {
        "operations": len(per_operation),
        "links": links,
        "cases": cases,
        "fewest_cases_of_an_operation": min(per_operation.values(), default=0),
        "responses": dict(sorted(statuses.items())),
        "failures_by_check": dict(failures.most_common()),
        "server_errors": len(server_errors),
        "non_json_error_bodies": len(not_json),
        "examples": (server_errors + not_json)[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1", help="schemathesis workers")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--keep", type=Path, help="Directory for the reports (kept).")
    parser.add_argument("--json", action="store_true", help="Print only the figures.")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="schemathesis-all-") as folder:
        work = options.keep or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "registry_site.settings",  # production settings
            "DEBUG": "0",
            "SECRET_KEY": "schemathesis-bench-" + "x" * 40,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": options.database_url or f"sqlite:///{work}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")  # as in production: error pages need it
        manage(env, "load_demo")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User;"
            "User.objects.filter(username='bench').exists() or "
            "User.objects.create_superuser('bench', password='bench-Secret-123')",
        )
        token = manage(env, "create_api_token", "bench", "--name", "schemathesis").strip()
        process, base = serve(env, work / "gunicorn.log")
        try:
            started = time.monotonic()
            command = [
                str(BIN / "schemathesis"),
                "run",
                f"{base}/api/schema/",
                "--checks",
                "all",
                "--phases",
                options.phases,
                "--max-examples",
                str(options.max_examples),
                "--seed",
                str(options.seed),
                "--workers",
                options.workers,
                "--header",
                f"Authorization: Bearer {token}",
                "--report",
                "ndjson,junit",
                "--report-dir",
                str(work),
                "--no-color",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "60",
                # Every example of every operation runs, even after a failure was found.
                "--continue-on-failure",
            ]
            run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            elapsed = time.monotonic() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
        (work / "schemathesis.out").write_text(run.stdout + run.stderr)
        found = figures(next(work.glob("ndjson-*.ndjson")))
        print(json.dumps({**found, "seconds": round(elapsed)}, indent=None if options.json else 2))
        if options.json:
            return 0
        summary = (
            run.stdout[run.stdout.rfind("SUMMARY") :] if "SUMMARY" in run.stdout else run.stdout
        )
        print(summary[-3000:] or run.stderr[-3000:])
        return 1 if found["server_errors"] or found["non_json_error_bodies"] else 0


if __name__ == "__main__":
    sys.exit(main())
