"""Every check schemathesis has (``--checks all``), stateful links included, over every
operation, on a bounded budget: no server error and no error body that is not JSON.

It runs ``bench/schemathesis_all.py`` (gunicorn with DEBUG off, the demo inventory) with a
few examples per operation; the bench's default is the full run (100 examples, every phase).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_every_operation_with_every_check_gives_no_server_error_and_json_errors(admin_client):
    schema = yaml.safe_load(admin_client.get("/api/schema/").content)
    operations = sum(
        method in {"get", "put", "patch", "post", "delete"}
        for item in schema["paths"].values()
        for method in item
    )
    run = subprocess.run(
        [
            sys.executable,
            "bench/schemathesis_all.py",
            "--json",
            "--max-examples",
            "4",
            "--phases",
            "fuzzing,stateful",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["operations"] == operations, figures
    assert figures["links"] > 0, figures
    assert figures["cases"] >= 4 * operations, figures
    assert (figures["server_errors"], figures["non_json_error_bodies"]) == (0, 0), figures
