"""Importing the same file twice: the second import finds every row unchanged and writes
nothing, whatever form the file gives its values in (lists, CSV strings, objects, empty
values). Runs on whichever database the suite runs on (SQLite and PostgreSQL in CI)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.workflows import transfer

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "engines": [
        {"name": "gpu-1", "provider": "Ollama", "config": {}, "supported": 1},
        {"name": "gpu-2", "provider": "vllm", "config": {"b": [1, 2.5], "a": {"x": None}}},
    ],
    "catalog": [
        {
            "name": "empty-lists",
            "capabilities": [],
            "extended_capabilities": [],
            "interfaces": [],
            "tags": [],
            "requirements": {},
            "artifacts": [],
            "metadata": {},
            "source_payload": {},
            "extra_config": {},
            "label": "",
            "format": "",
            "summary": "",
        },
        {
            "name": " padded ",
            "capabilities": ["Embeddings", "offline", "embed"],
            "tags": "b, a ,b",
            "interfaces": ["openai", " openai"],
            "extended_capabilities": "pdf_input,",
            "metadata": {"max_tokens": 2000000.0, "price": 1e-06, "nested": {"b": 1, "a": [None]}},
            "extra_config": {"dim": 384},
            "source_payload": {"compatible_engines": ["ollama", "vllm"]},
        },
        {"name": "bare"},
    ],
    "registered_models": [
        {
            "name": "on-gpu",
            "engine": "gpu-1",
            "available_model": "padded",
            "capabilities": "embedding, offline",
            "extra_config": {"dim": 384},
            "is_downloaded": "yes",
            "vram_required_mb": 0,
        },
        {"name": "plain", "engine": "gpu-2", "available_model": None, "capabilities": []},
    ],
    "knowledge": {"enabled": False, "embedding_model": None},
}

WRITES = ("INSERT", "UPDATE", "DELETE")


def stamps() -> list:
    return [
        list(model.objects.order_by("pk").values_list("updated_at", flat=True))
        for model in (Engine, AvailableModel, RegisteredModel)
    ]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_second_import_is_unchanged_and_writes_nothing(fmt):
    text = json.dumps(DOCUMENT)  # JSON is YAML too
    first = transfer.import_inventory(text, fmt, apply=True)
    assert first["errors"] == []
    before = stamps()

    dry = transfer.import_inventory(text, fmt)
    for section, counts in dry["counts"].items():
        assert counts["created"] == counts["updated"] == counts["refused"] == 0, (section, dry)
    assert {row["action"] for row in dry["rows"]} == {"unchanged"}

    with CaptureQueriesContext(connection) as queries:
        applied = transfer.import_inventory(text, fmt, apply=True)
    assert applied["applied"] is True
    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert written == []
    assert stamps() == before


def test_a_real_change_is_still_an_update():
    transfer.import_inventory(json.dumps(DOCUMENT), apply=True)
    changed = json.loads(json.dumps(DOCUMENT))
    changed["catalog"][1]["tags"] = ["a", "b", "c"]
    report = transfer.import_inventory(json.dumps(changed))
    assert report["counts"]["catalog"] == {"created": 0, "updated": 1, "unchanged": 2, "refused": 0}
