"""An updated row's report line says what changes: each changed key with its stored and new
value, credentials masked as in the change history, long values cut."""

from __future__ import annotations

import json

import pytest

from inventory.workflows import transfer

pytestmark = pytest.mark.django_db


def updated_rows(document: dict) -> list[dict]:
    report = transfer.import_document(document)
    return [row for row in report["rows"] if row["action"] == "updated"]


def test_changes_name_each_changed_key_with_both_values():
    transfer.import_document(
        {"catalog": [{"name": "a", "family": "llama", "version": "1"}]}, apply=True
    )
    [row] = updated_rows({"catalog": [{"name": "a", "family": "qwen", "version": "1"}]})
    assert row["changes"] == {"family": {"before": "llama", "after": "qwen"}}


def test_credentials_in_engine_config_are_masked_on_both_sides():
    engine = {
        "name": "e",
        "provider": "ollama",
        "config": {"api_key": "first-secret", "url": "http://a"},
    }
    transfer.import_document({"engines": [engine]}, apply=True)
    changed = {**engine, "config": {"api_key": "second-secret", "url": "http://b"}}
    [row] = updated_rows({"engines": [changed]})
    text = json.dumps(row)
    assert "first-secret" not in text and "second-secret" not in text
    assert row["changes"]["config"]["before"]["url"] == "http://a"
    assert row["changes"]["config"]["after"]["url"] == "http://b"


def test_long_values_are_cut():
    transfer.import_document({"catalog": [{"name": "a", "summary": "short"}]}, apply=True)
    [row] = updated_rows({"catalog": [{"name": "a", "summary": "x" * 1000}]})
    after = row["changes"]["summary"]["after"]
    assert len(after) == transfer.SHOWN_CHARS and after.endswith("…")
