"""Refused or accepted, a write never sends a secret back: API responses and import reports
hold no clear value whatever else is wrong with the config."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .test_doors import CLEAR, bearer


def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = leaf
    for _ in range(depth):
        value = {"level": value}
    return value


HOSTILE_CONFIGS = {
    "nul": {"api_key": CLEAR + "\u0000"},
    "nul-beside": {"api_key": CLEAR, "host": "h\u0000"},
    "too-deep": nested(70, {"api_key": CLEAR}),
    "mask-without-secret": {"api_key": CLEAR, "token": "********"},
    "reserved-key": {"api_key": CLEAR, "x": {"$secret": "forged", "y": 1}},
    "forged-envelope": {"api_key": CLEAR, "token": {"$secret": "not-a-fernet-token"}},
    "large": {"api_key": CLEAR * 20000},
}


@pytest.mark.parametrize("name", HOSTILE_CONFIGS)
def test_api_write_never_echoes_the_secret(admin_user, name):
    api = bearer(admin_user)
    response = api.post(
        "/api/v1/engine-registry/",
        {"name": f"e-{name}", "provider": "openai", "config": HOSTILE_CONFIGS[name]},
        format="json",
    )
    assert response.status_code in (201, 400, 413), response.status_code
    assert CLEAR not in response.content.decode()


@pytest.mark.parametrize("name", HOSTILE_CONFIGS)
def test_import_report_never_echoes_the_secret(db, sdk, name):
    document = json.dumps(
        {
            "format": "model-registry-inventory",
            "version": 1,
            "engines": [{"name": f"e-{name}", "provider": "vllm", "config": HOSTILE_CONFIGS[name]}],
        }
    )
    try:
        report = sdk.workflows.import_inventory(document, "json")
    except sdk.ValidationError as error:
        report = {"error": str(error), "errors": error.errors}
    assert CLEAR not in json.dumps(report)


def test_a_refused_form_never_shows_the_secret(admin_user, login, client):
    login(admin_user)
    for name, config in HOSTILE_CONFIGS.items():
        response = client.post(
            "/engines/new/",
            {
                "name": "",
                "provider": "openai",
                "status": "uninstalled",
                "config": json.dumps(config),
            },
        )
        assert response.status_code in (200, 400, 413), name
        assert CLEAR not in response.content.decode(), name
