"""DESIGN.md rules for registered models (``model_registry``), through the SDK."""

from __future__ import annotations

import pytest

from inventory.capabilities import CAPABILITIES
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

from .assertions import ALL_METHODS, expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry
REQUIRED = "name and engine_id are required"


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({}, ["name", "engine_id"]),
        ({"engine_id": None}, ["name", "engine_id"]),
        ({"name": "   "}, ["name", "engine_id"]),
        ({"name": "llama3"}, ["engine_id"]),
        ({"name": "llama3", "engine_id": None}, ["engine_id"]),
    ],
)
def test_name_and_engine_id_required(engine, payload, fields):
    for field in fields:
        expect_invalid(lambda: models.create(payload), field, REQUIRED, first=True)
    assert RegisteredModel.objects.count() == 0


def test_name_required_with_engine(engine):
    expect_invalid(
        lambda: models.create({"name": "", "engine_id": engine["id"]}), "name", REQUIRED, first=True
    )


def test_duplicate_name(make_model, engine):
    make_model("llama3")
    expect_invalid(
        lambda: models.create({"name": "llama3", "engine_id": engine["id"]}),
        "name",
        "model name already in use",
        first=True,
    )
    assert models.count({"name": "llama3"}) == 1


def test_duplicate_name_after_trimming(make_model, engine):
    make_model("llama3")
    expect_invalid(
        lambda: models.create({"name": "  llama3 ", "engine_id": engine["id"]}),
        "name",
        "model name already in use",
        first=True,
    )


def test_rename_onto_existing_name(make_model):
    make_model("llama3")
    other = make_model("mistral")
    expect_invalid(
        lambda: models.update(other["id"], {"name": "llama3"}),
        "name",
        "model name already in use",
        first=True,
    )
    assert models.view(other["id"])["name"] == "mistral"


@pytest.mark.parametrize("engine_id", [999999, "999999"])
def test_engine_must_exist(db, engine_id):
    expect_invalid(
        lambda: models.create({"name": "llama3", "engine_id": engine_id}),
        "engine_id",
        "engine_id does not exist",
        first=True,
    )


def test_engine_id_not_an_integer(engine):
    expect_invalid(
        lambda: models.create({"name": "llama3", "engine_id": "three"}),
        "engine_id",
        "three",
        exact=False,
    )


@pytest.mark.parametrize("field", ["engine_id", "available_model_id"])
@pytest.mark.parametrize("value", ["three", 1.5, [1], {"id": 1}])
def test_reference_ids_must_be_integers(engine, field, value):
    payload = {"name": "llama3", "engine_id": engine["id"], field: value}
    expect_invalid(
        lambda: models.create(payload), field, f"{field} must be an integer, got {value!r}"
    )
    assert RegisteredModel.objects.count() == 0


def test_available_model_must_exist(engine):
    expect_invalid(
        lambda: models.create(
            {"name": "llama3", "engine_id": engine["id"], "available_model_id": 999999}
        ),
        "available_model_id",
        "available_model_id does not exist",
        first=True,
    )


def test_available_model_link(engine, catalog_model):
    row = models.create(
        {
            "name": "nomic",
            "engine_id": engine["id"],
            "available_model_id": catalog_model["id"],
            "capabilities": "embedding",
        }
    )
    assert row["available_model_id"] == catalog_model["id"]


def test_status_default_and_vocabulary(make_model, engine):
    assert make_model("a")["status"] == "available"
    for status in ("available", "active", "downloading", "error", "disabled"):
        assert make_model(f"m-{status}", status=status)["status"] == status
    error = expect_invalid(
        lambda: models.create({"name": "x", "engine_id": engine["id"], "status": "installed"}),
        "status",
        "'installed' is not a valid status; choose one of: available, active, downloading, "
        "error, disabled",
        first=True,
    )
    assert "installed" in str(error)


@pytest.mark.parametrize("field", ["vram_required_mb", "ram_required_mb"])
def test_memory_non_negative(make_model, engine, field):
    assert make_model("zero")[field] == 0
    assert make_model("big", **{field: 24576})[field] == 24576
    expect_invalid(
        lambda: models.create({"name": "neg", "engine_id": engine["id"], field: -1}),
        field,
        f"{field} must be a non-negative integer, got -1",
    )
    expect_invalid(
        lambda: models.create({"name": "text", "engine_id": engine["id"], field: "lots"}),
        field,
        "lots",
        exact=False,
    )


@pytest.mark.parametrize("field", ["vram_required_mb", "ram_required_mb"])
def test_memory_fits_a_postgresql_integer_on_every_database(make_model, engine, field):
    assert make_model("largest", **{field: 2**31 - 1})[field] == 2**31 - 1
    for value in (2**31, 2**63, 2**70):
        expect_invalid(
            lambda value=value: models.create(
                {"name": "too-big", "engine_id": engine["id"], field: value}
            ),
            field,
            f"{field} must be at most 2147483647, got {value}",
            first=True,
        )
    assert models.count({"name": "too-big"}) == 0


@pytest.mark.parametrize("field", ["vram_required_mb", "ram_required_mb"])
@pytest.mark.parametrize("value", [1.5, "1.5", float("nan"), [8], {"mb": 8}])
def test_memory_is_never_silently_truncated(engine, field, value):
    payload = {"name": "fraction", "engine_id": engine["id"], field: value}
    expect_invalid(
        lambda: models.create(payload),
        field,
        f"{field} must be an integer, got {value!r}",
        first=True,
    )
    assert RegisteredModel.objects.count() == 0


@pytest.mark.parametrize("value, stored", [(2048.0, 2048), ("2048", 2048), (" 512 ", 512)])
def test_memory_accepts_whole_numbers_and_digit_strings(make_model, value, stored):
    assert make_model("whole", vram_required_mb=value)["vram_required_mb"] == stored


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None])
def test_extra_config_must_be_object(engine, value):
    expect_invalid(
        lambda: models.create({"name": "x", "engine_id": engine["id"], "extra_config": value}),
        "extra_config",
        "extra_config must be a JSON object",
        first=True,
    )


def test_extra_config_defaults_to_empty_object(make_model):
    assert make_model()["extra_config"] == {}


@pytest.mark.parametrize(
    "given, stored",
    [
        (["chat"], "chat"),
        ("Chat, Tool-Calling", "chat,tool_calling"),
        (["EMBEDDINGS", "embed", " embedding "], "embedding"),
        (
            "completion,vision,kg,transcription,speech synthesis",
            "chat,image_to_text,triples_extractor,stt,tts",
        ),
        (["rerank", "chat,ner"], "reranking,chat,token_extraction"),
        ("", ""),
        ([], ""),
        (" , ,", ""),
    ],
)
def test_capabilities_normalized(make_model, given, stored):
    assert make_model(capabilities=given)["capabilities"] == stored
    assert RegisteredModel.objects.get().capabilities == stored


def test_unknown_capability_lists_vocabulary(engine):
    error = expect_invalid(
        lambda: models.create(
            {"name": "x", "engine_id": engine["id"], "capabilities": "chat,telepathy"}
        ),
        "capabilities",
        "unknown capability 'telepathy'; known capabilities: " + ", ".join(CAPABILITIES),
        first=True,
    )
    assert "telepathy" in str(error)


def test_several_unknown_capabilities_all_named(engine):
    expect_invalid(
        lambda: models.create(
            {"name": "x", "engine_id": engine["id"], "capabilities": ["rank", "chat", "Psychic"]}
        ),
        "capabilities",
        "unknown capabilities 'rank', 'Psychic'; known capabilities: " + ", ".join(CAPABILITIES),
    )


def test_capabilities_wrong_type(engine):
    expect_invalid(
        lambda: models.create({"name": "x", "engine_id": engine["id"], "capabilities": [1, 2]}),
        "capabilities",
        "capabilities must be a comma-separated string or a list of strings",
    )


def test_runtime_methods_in_fixed_order(make_model):
    row = make_model(capabilities="detection,stt,tts,triples,ner,classify,rerank,embed,chat,audio")
    assert row["runtime_methods"] == ALL_METHODS
    assert make_model("plain", capabilities="offline,cpu_friendly")["runtime_methods"] == []


def test_runtime_methods_are_not_writable(make_model):
    row = make_model(capabilities="embedding", runtime_methods=["generate_completion"])
    assert row["runtime_methods"] == ["embed_texts"]


def test_is_downloaded_shown_as_flag(make_model):
    assert make_model("a")["is_downloaded"] == 0
    assert make_model("b", is_downloaded=True)["is_downloaded"] == 1
    assert make_model("c", is_downloaded=1)["is_downloaded"] == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"engine": 1}, "engine"),
        ({"vram": 10}, "vram"),
        ({"path": "x"}, "path"),
    ],
)
def test_unknown_payload_keys_rejected(engine, payload, field):
    error = expect_invalid(
        lambda: models.create({"name": "x", "engine_id": engine["id"], **payload}),
        field,
        f"unknown field {field!r}",
        exact=False,
    )
    assert "model_path" in error.errors[field][0]
    assert RegisteredModel.objects.count() == 0


def test_payload_must_be_an_object(engine):
    expect_invalid(lambda: models.create(["name", "x"]), "payload", "payload must be a JSON object")
