"""The published schema passes Redocly's recommended rules and Spectral's ``spectral:oas``
with no error (configured in ``redocly.yaml`` and ``.spectral.yaml``).

The linters are Node tools pinned in ``package.json`` and installed with ``npm ci``. Without
Node or without them installed the test skips, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"


def linter(name: str) -> Path:
    path = BIN / name
    if shutil.which("node") is None or not path.exists():
        message = f"needs Node and `npm ci` for {name} ({path})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory, django_db_blocker) -> Path:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(path))
    return path


def run(*command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "REDOCLY_TELEMETRY": "off"},
    )


def test_redocly_recommended_finds_no_error(schema_file):
    result = run(linter("redocly"), "lint", "--format", "stylish", schema_file)
    output = result.stdout + result.stderr
    errors = re.findall(r"\berror\b", output)
    assert result.returncode == 0 and not errors, output


def test_spectral_oas_finds_no_error(schema_file):
    result = run(
        linter("spectral"),
        "lint",
        "--ruleset",
        ROOT / ".spectral.yaml",
        "--fail-severity",
        "error",
        "--format",
        "text",
        schema_file,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r":\d+:\d+ error ", output), output
