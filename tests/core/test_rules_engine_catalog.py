"""DESIGN.md rules for engines (``engine_registry``) and catalog models
(``available_model_registry``), through the SDK."""

from __future__ import annotations

import pytest

from inventory.capabilities import CAPABILITIES
from inventory.models import AvailableModel, Engine
from inventory.sdk import module_sdk
from inventory.vocabularies import FORMAT

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

engines = module_sdk.models.engine_registry
catalog = module_sdk.models.available_model_registry

ENGINE_REQUIRED = "name and provider are required"
CATALOG_REQUIRED = "name and label are required"


# --- engines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({}, ["name", "provider"]),
        ({"name": "ollama-1"}, ["provider"]),
        ({"name": "ollama-1", "provider": "  "}, ["provider"]),
        ({"provider": "ollama"}, ["name"]),
        ({"name": None, "provider": None}, ["name", "provider"]),
    ],
)
def test_engine_name_and_provider_required(db, payload, fields):
    for field in fields:
        expect_invalid(lambda: engines.create(payload), field, ENGINE_REQUIRED, first=True)
    assert Engine.objects.count() == 0


def test_engine_duplicate_name(engine):
    expect_invalid(
        lambda: engines.create({"name": engine["name"], "provider": "vllm"}),
        "name",
        "engine name already in use",
        first=True,
    )


def test_engine_provider_stored_lower_case(db):
    row = engines.create({"name": "Big Box", "provider": "  LlamaCPP "})
    assert row["provider"] == "llamacpp"
    assert row["name"] == "Big Box"
    assert Engine.objects.get().provider == "llamacpp"
    assert engines.update(row["id"], {"provider": "VLLM"})["provider"] == "vllm"


def test_engine_defaults(db):
    row = engines.create({"name": "e", "provider": "ollama"})
    assert row["status"] == "uninstalled"
    assert row["supported"] is False
    assert row["config"] == {}


def test_engine_status_vocabulary(db):
    for status in ("uninstalled", "installing", "installed", "active", "error"):
        assert engines.create({"name": status, "provider": "tei", "status": status})["status"] == (
            status
        )
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "ollama", "status": "available"}),
        "status",
        "'available' is not a valid status; choose one of: uninstalled, installing, installed, "
        "active, error",
        first=True,
    )


@pytest.mark.parametrize("value", [["a"], "text", 1, None])
def test_engine_config_must_be_object(db, value):
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "ollama", "config": value}),
        "config",
        "config must be a JSON object",
        first=True,
    )


def test_engine_unknown_key(db):
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "ollama", "kind": "gpu"}),
        "kind",
        "unknown field 'kind'",
        exact=False,
    )
    assert Engine.objects.count() == 0


def test_engine_with_models_cannot_be_deleted(engine, make_model):
    make_model("llama3")
    make_model("mistral")
    error = expect_invalid(
        lambda: engines.delete(engine["id"]),
        "__all__",
        "engine 'ollama-test' still has 2 registered models; delete them or move them to "
        "another engine first",
        first=True,
        error_type=module_sdk.ProtectedError,
    )
    assert isinstance(error, module_sdk.ValidationError)
    assert engines.view(engine["id"]) is not None
    assert module_sdk.models.model_registry.count() == 2


def test_engine_without_models_can_be_deleted(engine, other_engine, make_model):
    make_model("llama3")
    assert engines.delete(other_engine["id"]) is True
    assert engines.view(other_engine["id"]) is None
    assert engines.delete(other_engine["id"]) is False


# --- catalog models --------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "  "}, {"label": "Nice label"}])
def test_catalog_name_required(db, payload):
    expect_invalid(lambda: catalog.create(payload), "name", CATALOG_REQUIRED, first=True)
    assert AvailableModel.objects.count() == 0


def test_catalog_duplicate_name(catalog_model):
    expect_invalid(
        lambda: catalog.create({"name": "nomic-embed-text"}),
        "name",
        "available model name already in use",
        first=True,
    )


def test_catalog_label_defaults_to_name(db):
    row = catalog.create({"name": "qwen2.5:7b"})
    assert row["label"] == "qwen2.5:7b"
    assert catalog.create({"name": "b", "label": "  "})["label"] == "b"
    assert catalog.create({"name": "c", "label": "Pretty C"})["label"] == "Pretty C"


def test_catalog_defaults(db):
    row = catalog.create({"name": "m"})
    assert row["source_kind"] == "manual"
    assert row["status"] == "available"
    assert row["format"] == ""
    assert row["requirements"] == {}
    assert row["artifacts"] == []
    assert row["metadata"] == {}
    assert row["source_payload"] == {}
    assert row["extra_config"] == {}
    assert row["capabilities"] == ""


@pytest.mark.parametrize(
    "field, good, bad, message",
    [
        (
            "status",
            ["available", "downloading", "importing", "failed"],
            "active",
            "'active' is not a valid status; choose one of: available, downloading, importing, "
            "failed",
        ),
        (
            "source_kind",
            ["manual", "catalog", "huggingface", "provider_api", "registered", "upload", "url"],
            "ollama",
            "'ollama' is not a valid source_kind; choose one of: manual, catalog, huggingface, "
            "provider_api, registered, upload, url",
        ),
        (
            "format",
            ["gguf", "hf_snapshot", "pt", "onnx", "remote", "json", "", "safetensors", "mlx"],
            "safetensor",
            "unknown format 'safetensor'; known formats: " + ", ".join(FORMAT.built_in),
        ),
    ],
)
def test_catalog_vocabularies(db, field, good, bad, message):
    for index, value in enumerate(good):
        assert catalog.create({"name": f"m{index}", field: value})[field] == value
    expect_invalid(lambda: catalog.create({"name": "bad", field: bad}), field, message, first=True)


@pytest.mark.parametrize("field", ["requirements", "metadata", "source_payload", "extra_config"])
@pytest.mark.parametrize("value", [[1], "x", 2, None])
def test_catalog_json_objects(db, field, value):
    expect_invalid(
        lambda: catalog.create({"name": "m", field: value}),
        field,
        f"{field} must be a JSON object",
        first=True,
    )


@pytest.mark.parametrize("value", [{"a": 1}, "x", None])
def test_catalog_artifacts_must_be_list(db, value):
    expect_invalid(
        lambda: catalog.create({"name": "m", "artifacts": value}),
        "artifacts",
        "artifacts must be a JSON list",
        first=True,
    )


def test_catalog_requirements_memory_non_negative(db):
    row = catalog.create({"name": "ok", "requirements": {"vram_mb": 8192, "ram_mb": 0}})
    assert row["requirements"] == {"vram_mb": 8192, "ram_mb": 0}
    expect_invalid(
        lambda: catalog.create({"name": "m", "requirements": {"vram_mb": -1, "ram_mb": "x"}}),
        "requirements",
        "requirements.vram_mb must be a non-negative integer, got -1",
    )


def test_catalog_capabilities_normalized(db):
    row = catalog.create({"name": "m", "capabilities": ["Embeddings", "rerank", "embedding"]})
    assert row["capabilities"] == "embedding,reranking"
    expect_invalid(
        lambda: catalog.create({"name": "x", "capabilities": "chat,rank"}),
        "capabilities",
        "unknown capability 'rank'; known capabilities: " + ", ".join(CAPABILITIES),
        first=True,
    )


def test_catalog_free_lists_normalized(db):
    row = catalog.create(
        {"name": "m", "tags": " a, b ,a,,c", "interfaces": ["openai", "ollama,openai"]}
    )
    assert row["tags"] == "a,b,c"
    assert row["interfaces"] == "openai,ollama"


def test_catalog_provider_hint_lower_case(db):
    assert catalog.create({"name": "m", "provider_hint": " Ollama"})["provider_hint"] == "ollama"


def test_catalog_extra_config_rules_apply(db):
    expect_invalid(
        lambda: catalog.create({"name": "m", "capabilities": "chat", "extra_config": {"dim": 8}}),
        "extra_config",
        "extra_config.dim is only allowed on models with the embedding capability",
        first=True,
    )


def test_deleting_catalog_row_unlinks_registered_rows(engine, catalog_model, make_model):
    linked = make_model("nomic", capabilities="embedding", available_model_id=catalog_model["id"])
    assert catalog.delete(catalog_model["id"]) is True
    row = module_sdk.models.model_registry.view(linked["id"])
    assert row is not None
    assert row["available_model_id"] is None
    assert catalog.view(catalog_model["id"]) is None
    assert catalog.delete(catalog_model["id"]) is False
