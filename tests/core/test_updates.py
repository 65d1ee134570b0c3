"""Partial updates, replacement of ``extra_config``, all-or-nothing writes and missing rows."""

from __future__ import annotations

import pytest

from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry


@pytest.fixture
def row(make_model, catalog_model) -> dict:
    return make_model(
        "llama3",
        model_path="models/llama3/model.gguf",
        vram_required_mb=8192,
        ram_required_mb=1024,
        is_downloaded=True,
        remote_url="https://example.org/llama3",
        version="8b",
        capabilities="chat,tool_calling",
        extra_config={"source_mode": "artifact", "defaults": {"temperature": 0.2}},
        status="active",
        available_model_id=catalog_model["id"],
    )


def _without_updated(values: dict) -> dict:
    return {key: value for key, value in values.items() if key != "updated_at"}


@pytest.mark.parametrize(
    "change",
    [
        {"status": "disabled"},
        {"vram_required_mb": 0},
        {"is_downloaded": 0},
        {"capabilities": ["chat"]},
        {"name": "llama3-8b"},
        {"model_path": ""},
        {"available_model_id": None},
    ],
)
def test_update_changes_only_given_keys(row, change):
    updated = models.update(row["id"], change)
    stored = RegisteredModel.objects.get(pk=row["id"])
    expected = {**row, **change}
    if "capabilities" in change:
        expected["capabilities"] = "chat"
        expected["runtime_methods"] = ["generate_completion", "generate_stream"]
    if "available_model_id" in change:
        expected["warnings"] = []  # no catalog row left to be out of sync with
    assert _without_updated(updated) == _without_updated(expected)
    assert updated == models.view(row["id"])
    assert stored.name == expected["name"]


def test_update_moves_to_another_engine(row, other_engine):
    updated = models.update(row["id"], {"engine_id": other_engine["id"]})
    assert updated["engine_id"] == other_engine["id"]
    assert updated["name"] == "llama3"


def test_extra_config_in_update_replaces(row):
    updated = models.update(row["id"], {"extra_config": {"quantization": "Q4_K_M"}})
    assert updated["extra_config"] == {"quantization": "Q4_K_M"}
    assert models.update(row["id"], {"extra_config": {}})["extra_config"] == {}


def test_update_without_extra_config_keeps_it(row):
    updated = models.update(row["id"], {"status": "available"})
    assert updated["extra_config"] == row["extra_config"]


def test_empty_update_changes_nothing(row):
    assert _without_updated(models.update(row["id"], {})) == _without_updated(row)


def test_read_only_keys_are_ignored(row):
    updated = models.update(
        row["id"],
        {"id": 999, "runtime_methods": [], "created_at": "2000-01-01T00:00:00", "status": "error"},
    )
    assert updated["id"] == row["id"]
    assert updated["created_at"] == row["created_at"]
    assert updated["status"] == "error"
    assert updated["runtime_methods"] == row["runtime_methods"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"status": "disabled", "vram_required_mb": -1}, "vram_required_mb"),
        ({"status": "disabled", "engine_id": 999999}, "engine_id"),
        ({"name": "renamed", "capabilities": "chat,bogus"}, "capabilities"),
        ({"is_downloaded": False, "extra_config": {"dim": 8}}, "extra_config"),
        ({"name": "renamed", "status": "gone"}, "status"),
        ({"status": "disabled", "colour": "red"}, "colour"),
        ({"name": ""}, "name"),
        ({"engine_id": None}, "engine_id"),
    ],
)
def test_failed_update_writes_nothing(row, change, field):
    before = RegisteredModel.objects.filter(pk=row["id"]).values().get()
    with pytest.raises(module_sdk.ValidationError) as info:
        models.update(row["id"], change)
    assert field in info.value.errors
    assert RegisteredModel.objects.filter(pk=row["id"]).values().get() == before
    assert models.view(row["id"]) == row


def test_unknown_update_key_names_writable_fields(row):
    expect_invalid(
        lambda: models.update(row["id"], {"downloaded": 1}),
        "downloaded",
        "unknown field 'downloaded'; writable fields: name, engine_id, available_model_id, "
        "model_path, vram_required_mb, ram_required_mb, is_downloaded, remote_url, version, "
        "capabilities, extra_config, status",
        first=True,
    )


def test_update_missing_row_returns_none(db):
    assert models.update(999999, {"status": "active"}) is None
    assert module_sdk.models.engine_registry.update(999999, {"provider": "ollama"}) is None


@pytest.mark.parametrize("bad_id", ["abc", "1.5", None, 1.5, True])
def test_non_integer_ids_rejected(db, bad_id):
    for call in (
        lambda: models.view(bad_id),
        lambda: models.update(bad_id, {}),
        lambda: models.delete(bad_id),
    ):
        expect_invalid(call, "id", "id must be an integer", exact=False)


def test_string_ids_accepted(row):
    assert models.view(str(row["id"]))["id"] == row["id"]
    assert models.update(str(row["id"]), {"version": "v2"})["version"] == "v2"


def test_update_payload_must_be_object(row):
    expect_invalid(
        lambda: models.update(row["id"], "status=active"),
        "payload",
        "payload must be a JSON object",
    )


def test_view_missing_row(db):
    assert models.view(999999) is None


def test_updated_at_moves_on_update(row):
    updated = models.update(row["id"], {"status": "disabled"})
    assert updated["updated_at"] >= row["updated_at"]
    assert updated["created_at"] == row["created_at"]


def test_engine_and_catalog_updates_are_partial(engine, catalog_model):
    engines = module_sdk.models.engine_registry
    catalog = module_sdk.models.available_model_registry
    engines.update(engine["id"], {"config": {"a": 1}})
    updated = engines.update(engine["id"], {"supported": True})
    assert updated["config"] == {"a": 1}
    assert updated["provider"] == "ollama"
    assert updated["status"] == "active"
    updated = catalog.update(catalog_model["id"], {"summary": "Text embeddings"})
    assert updated["extra_config"] == {"dim": 768}
    assert updated["capabilities"] == "embedding"
    assert updated["label"] == "nomic-embed-text"
