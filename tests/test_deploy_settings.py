"""The production configuration passes Django's deployment checks and refuses unsafe starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k9$Qz!r2Lw8@vN4#tX6^pB1&mC7*yH3%jF5(sD0)gA-uE+oI=eW"
SECRETS_KEY = "q8Yb2vJx0cJ7r3m6QfB1nW4kZt9uL5aH2dG8sE0pR1M="


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "registry_site.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="registry.example.com",
        DATABASE_URL="sqlite:///:memory:",
        REGISTRY_SECRETS_KEYS=SECRETS_KEY,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_without_a_secrets_key():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="registry.example.com",
        DATABASE_URL="sqlite:///:memory:",
        REGISTRY_SECRETS_KEYS="",
    )
    assert result.returncode != 0
    assert "inventory.W001" in result.stderr and "REGISTRY_SECRETS_KEYS" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
