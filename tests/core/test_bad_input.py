"""Malformed input is a validation error naming the field on every database, never a crash
and never a silently mangled value."""

from __future__ import annotations

import pytest

from inventory.models import AvailableModel, RegisteredModel
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry
catalog = module_sdk.models.available_model_registry
engines = module_sdk.models.engine_registry


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "llama\x003", "name must not contain NUL characters"),
        ("model_path", "models/\x00", "model_path must not contain NUL characters"),
        ("version", "\x00", "version must not contain NUL characters"),
        ("extra_config", {"path": "a\x00b"}, "extra_config must not contain NUL characters"),
        ("extra_config", {"a\x00": 1}, "extra_config must not contain NUL characters"),
        ("extra_config", {"x": [float("nan")]}, "extra_config must not contain NaN or Infinity"),
        ("extra_config", {"x": float("inf")}, "extra_config must not contain NaN or Infinity"),
        ("name", ["llama3"], "name must be a string"),
        ("model_path", {"path": "x"}, "model_path must be a string"),
        ("version", True, "version must be a string"),
        ("engine_id", True, "engine_id must be an integer, got True"),
        ("vram_required_mb", True, "vram_required_mb must be an integer, got True"),
        (
            "capabilities",
            {"chat": 1},
            "capabilities must be a comma-separated string or a list of strings",
        ),
        ("capabilities", 7, "capabilities must be a comma-separated string or a list of strings"),
    ],
)
def test_registered_model_unstorable_values(engine, field, value, message):
    payload = {"name": "llama3", "engine_id": engine["id"], field: value}
    expect_invalid(lambda: models.create(payload), field, message, first=True)
    assert RegisteredModel.objects.count() == 0


def test_unstorable_update_writes_nothing(make_model):
    row = make_model("llama3", model_path="models/llama3")
    expect_invalid(
        lambda: models.update(row["id"], {"status": "active", "model_path": "x\x00"}),
        "model_path",
        "model_path must not contain NUL characters",
    )
    assert models.view(row["id"]) == row


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("summary", "text\x00", "summary must not contain NUL characters"),
        ("tags", ["a", "b\x00"], "tags must not contain NUL characters"),
        ("tags", 5, "tags must be a comma-separated string or a list of strings"),
        ("metadata", {"k": float("-inf")}, "metadata must not contain NaN or Infinity"),
        ("artifacts", [{"file": "\x00"}], "artifacts must not contain NUL characters"),
        ("label", ["x"], "label must be a string"),
    ],
)
def test_catalog_unstorable_values(db, field, value, message):
    expect_invalid(lambda: catalog.create({"name": "m", field: value}), field, message)
    assert AvailableModel.objects.count() == 0


def test_engine_unstorable_values(db):
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "ollama", "config": {"x": "\x00"}}),
        "config",
        "config must not contain NUL characters",
    )


@pytest.mark.parametrize("field", ["model_path", "remote_url", "version"])
def test_null_clears_optional_text(make_model, field):
    row = make_model(
        "llama3", **{field: "https://example.org/x" if field == "remote_url" else "something"}
    )
    assert models.update(row["id"], {field: None})[field] == ""


def test_null_label_defaults_to_name(db):
    assert catalog.create({"name": "qwen", "label": None})["label"] == "qwen"


def test_null_required_text_keeps_design_message(engine):
    expect_invalid(
        lambda: models.create({"name": None, "engine_id": engine["id"]}),
        "name",
        "name and engine_id are required",
        first=True,
    )


@pytest.mark.parametrize("key", ["name", "q"])
def test_nul_in_text_filter(db, key):
    expect_invalid(
        lambda: models.list(filters={key: "a\x00"}),
        key,
        f"{key} must not contain NUL characters",
        first=True,
    )


@pytest.mark.parametrize("key", ["id", "engine_id", "available_model_id"])
def test_out_of_range_id_filter(db, key):
    expect_invalid(
        lambda: models.count({key: 2**63}), key, f"{key} {2**63} is out of range", first=True
    )
    assert models.count({key: 2**63 - 1}) == 0


def test_knowledge_malformed_model_id(db):
    expect_invalid(
        lambda: module_sdk.knowledge.update_config({"embedding_model_id": "abc"}),
        "embedding_model_id",
        "abc",
        exact=False,
    )
    assert module_sdk.knowledge.get_config()["embedding_model_id"] is None
