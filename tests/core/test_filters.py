"""Filter semantics of ``list``/``count``/``all``: the same for every entity and every door."""

from __future__ import annotations

import pytest

from inventory.capabilities import CAPABILITIES
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry
engines = module_sdk.models.engine_registry
catalog = module_sdk.models.available_model_registry


@pytest.fixture
def inventory(engine, other_engine, catalog_model, make_model) -> dict[str, dict]:
    rows = {
        "llama": make_model(
            "Llama3-8B",
            capabilities="chat,tool_calling",
            model_path="models/llama3/model.gguf",
            is_downloaded=True,
            status="active",
        ),
        "nomic": make_model(
            "nomic-embed-text",
            capabilities="embedding",
            extra_config={"dim": 768},
            available_model_id=catalog_model["id"],
            model_path="blobs/sha256-nomic",
        ),
        "bge": make_model(
            "bge-reranker", capabilities="reranking,embedding", extra_config={"dim": 1024}
        ),
        "whisper": make_model("whisper-large", capabilities="stt,audio", status="disabled"),
        "piper": module_sdk.models.model_registry.create(
            {
                "name": "piper-voice",
                "engine_id": other_engine["id"],
                "capabilities": "tts,audio",
                "is_downloaded": 1,
            }
        ),
        "bare": make_model("bare-model", model_path="MODELS/Other/llama-ish.bin"),
    }
    return rows


def names(result: dict) -> set[str]:
    return {row["name"] for row in result["rows"]}


def check(filters: dict, expected: set[str]) -> None:
    """``list``, ``all`` and ``count`` agree on the filter result."""
    assert names(models.list(page_size=200, filters=filters)) == expected
    assert names(models.all(filters=filters)) == expected
    assert models.count(filters) == len(expected)


# --- ids ---------------------------------------------------------------------------------------


def test_id_exact(inventory):
    row = inventory["nomic"]
    check({"id": row["id"]}, {"nomic-embed-text"})
    check({"id": str(row["id"])}, {"nomic-embed-text"})


def test_id_list_matches_any(inventory):
    ids = [inventory["nomic"]["id"], inventory["piper"]["id"]]
    check({"id": ids}, {"nomic-embed-text", "piper-voice"})
    check({"id": f"{ids[0]},{ids[1]}"}, {"nomic-embed-text", "piper-voice"})
    assert models.list(filters={"id": ids})["filters"] == {"id": ids}


def test_engine_and_catalog_ids(inventory, other_engine, catalog_model):
    check({"engine_id": other_engine["id"]}, {"piper-voice"})
    check({"available_model_id": catalog_model["id"]}, {"nomic-embed-text"})
    check({"available_model_id": 999999}, set())


@pytest.mark.parametrize("key", ["id", "engine_id", "available_model_id"])
@pytest.mark.parametrize("value", ["abc", "1.5", 1.5, True, [1, "x"], {"a": 1}])
def test_non_integer_ids_rejected(db, key, value):
    error = expect_invalid(
        lambda: models.list(filters={key: value}), key, f"{key} must be an integer", exact=False
    )
    assert key in str(error)
    with pytest.raises(module_sdk.ValidationError):
        models.count({key: value})
    with pytest.raises(module_sdk.ValidationError):
        models.all(filters={key: value})


def test_non_integer_id_message_names_input(db):
    expect_invalid(
        lambda: models.list(filters={"engine_id": "three"}),
        "engine_id",
        "engine_id must be an integer, got 'three'",
        first=True,
    )


# --- text --------------------------------------------------------------------------------------


def test_name_substring_case_insensitive(inventory):
    check({"name": "LLAMA"}, {"Llama3-8B"})
    check({"name": "embed"}, {"nomic-embed-text"})
    check(
        {"name": "E"},
        {"nomic-embed-text", "bge-reranker", "whisper-large", "piper-voice", "bare-model"},
    )


def test_name_filter_is_literal(inventory):
    check({"name": "%"}, set())
    check({"name": "_"}, set())


def test_q_searches_name_and_path(inventory):
    check({"q": "llama"}, {"Llama3-8B", "bare-model"})
    check({"q": "SHA256"}, {"nomic-embed-text"})
    check({"q": "piper"}, {"piper-voice"})
    check({"q": "nothing-like-this"}, set())


def test_engine_filters(inventory):
    check_engines = lambda filters, expected: (  # noqa: E731
        {row["name"] for row in engines.all(filters=filters)["rows"]} == expected
    )
    assert check_engines({"provider": "VLLM"}, {"vllm-test"})
    assert check_engines({"provider": "vLLM "}, {"vllm-test"})
    expect_invalid(
        lambda: engines.count({"provider": "vll"}),
        "provider",
        "unknown provider 'vll'; known providers: ollama, llamacpp, vllm",
        exact=False,
    )
    assert check_engines({"name": "TEST"}, {"ollama-test", "vllm-test"})
    assert check_engines({"status": "active"}, {"ollama-test"})
    assert check_engines({"supported": "false"}, {"ollama-test", "vllm-test"})
    assert check_engines({"supported": 1}, set())
    assert check_engines({"q": "ollama"}, {"ollama-test"})


def test_catalog_filters(db):
    catalog.create(
        {
            "name": "qwen2.5:7b",
            "label": "Qwen 2.5",
            "format": "gguf",
            "source_kind": "huggingface",
            "capabilities": "chat",
            "family": "qwen",
        }
    )
    catalog.create(
        {
            "name": "e5",
            "label": "E5 large",
            "format": "onnx",
            "capabilities": "embedding",
            "storage_ref": "s3://bucket/qwen-tokenizer",
        }
    )

    def found(filters: dict) -> set[str]:
        return {row["name"] for row in catalog.all(filters=filters)["rows"]}

    assert found({"label": "qwen"}) == {"qwen2.5:7b"}
    assert found({"format": "onnx"}) == {"e5"}
    assert found({"source_kind": "huggingface"}) == {"qwen2.5:7b"}
    assert found({"capabilities": "embed"}) == {"e5"}
    assert found({"q": "qwen"}) == {"qwen2.5:7b", "e5"}
    assert found({"family": "QW"}) == {"qwen2.5:7b"}
    expect_invalid(
        lambda: catalog.count({"format": "gg"}),
        "format",
        "unknown format 'gg'; known formats: gguf, hf_snapshot",
        exact=False,
    )
    assert found({"format": "ONNX"}) == {"e5"}


# --- status and booleans -------------------------------------------------------------------------


def test_status_exact(inventory):
    check({"status": "active"}, {"Llama3-8B"})
    check({"status": "disabled"}, {"whisper-large"})
    check({"status": ["active", "disabled"]}, {"Llama3-8B", "whisper-large"})


def test_status_is_not_a_substring_match(inventory):
    expect_invalid(
        lambda: models.list(filters={"status": "activ"}),
        "status",
        "'activ' is not a valid status; choose one of: available, active, downloading, error, "
        "disabled",
        first=True,
    )


@pytest.mark.parametrize(
    "value, downloaded",
    [
        (1, True),
        ("1", True),
        (True, True),
        ("true", True),
        ("TRUE", True),
        (0, False),
        ("0", False),
        (False, False),
        ("false", False),
    ],
)
def test_is_downloaded_accepts_flags(inventory, value, downloaded):
    expected = {"Llama3-8B", "piper-voice"}
    if not downloaded:
        expected = {row["name"] for row in inventory.values()} - expected
    check({"is_downloaded": value}, expected)
    assert models.list(filters={"is_downloaded": value})["filters"] == {"is_downloaded": downloaded}


@pytest.mark.parametrize("value", ["maybe", 2, -1, "2", [1]])
def test_is_downloaded_rejects_others(db, value):
    expect_invalid(
        lambda: models.count({"is_downloaded": value}),
        "is_downloaded",
        "is_downloaded must be a boolean (0/1/true/false)",
        exact=False,
    )


# --- capabilities --------------------------------------------------------------------------------


def test_capabilities_whole_tokens(inventory):
    check({"capabilities": "embedding"}, {"nomic-embed-text", "bge-reranker"})
    check({"capabilities": "chat"}, {"Llama3-8B"})
    check({"capabilities": "tool_calling"}, {"Llama3-8B"})
    check({"capabilities": "audio"}, {"whisper-large", "piper-voice"})
    check({"capabilities": "stt"}, {"whisper-large"})
    check({"capabilities": "tts"}, {"piper-voice"})
    check({"capabilities": "reasoning"}, set())


def test_capabilities_aliases(inventory):
    check({"capabilities": "Embeddings"}, {"nomic-embed-text", "bge-reranker"})
    check({"capabilities": "rerank"}, {"bge-reranker"})
    check({"capabilities": "ranking"}, {"bge-reranker"})
    check({"capabilities": "completion"}, {"Llama3-8B"})
    check({"capabilities": "tool-calling"}, {"Llama3-8B"})
    check({"capabilities": "transcription"}, {"whisper-large"})
    listing = models.list(filters={"capabilities": " Rerank , embed"})
    assert listing["filters"] == {"capabilities": "reranking,embedding"}


def test_several_capabilities_mean_has_all(inventory):
    check({"capabilities": "embedding,reranking"}, {"bge-reranker"})
    check({"capabilities": ["audio", "tts"]}, {"piper-voice"})
    check({"capabilities": ["audio", "tts", "stt"]}, set())
    check({"capabilities": "chat,embedding"}, set())


@pytest.mark.parametrize("token", ["rank", "embed_text", "chatting", "re-rank", "tool"])
def test_non_vocabulary_capability_is_an_error(inventory, token):
    error = expect_invalid(
        lambda: models.list(filters={"capabilities": token}),
        "capabilities",
        f"unknown capability {token!r}; known capabilities: " + ", ".join(CAPABILITIES),
        first=True,
    )
    assert token in str(error)
    with pytest.raises(module_sdk.ValidationError):
        models.count({"capabilities": f"embedding,{token}"})


def test_empty_capabilities_filter_is_dropped(inventory):
    listing = models.list(filters={"capabilities": "", "name": "", "status": None})
    assert listing["filters"] == {}
    assert listing["total_rows"] == len(inventory)


# --- strictness ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["engines", "model_path", "capability", "runtime_methods", "nam"])
def test_unknown_filter_key_is_an_error(inventory, key):
    error = expect_invalid(
        lambda: models.list(filters={key: "x"}),
        key,
        f"unknown filter {key!r}; known filters: id, name, engine_id, available_model_id, "
        "is_downloaded, capabilities, status, engine_status, over_capacity, name_exact, engine, "
        "available_model, q",
        first=True,
    )
    assert key in str(error)
    for call in (lambda: models.count({key: "x"}), lambda: models.all(filters={key: "x"})):
        with pytest.raises(module_sdk.ValidationError):
            call()


def test_unknown_filter_key_is_an_error_even_when_empty(db):
    expect_invalid(
        lambda: models.count({"engines": None}), "engines", "unknown filter", exact=False
    )


def test_filters_must_be_a_mapping(db):
    expect_invalid(
        lambda: models.list(filters=["name"]), "filters", "filters must be an object", first=True
    )


def test_filters_combine_with_and(inventory, engine):
    check({"engine_id": engine["id"], "capabilities": "embedding", "name": "bge"}, {"bge-reranker"})
    check({"engine_id": engine["id"], "is_downloaded": 1}, {"Llama3-8B"})


@pytest.mark.parametrize("key", ["id", "engine_id", "available_model_id", "status"])
@pytest.mark.parametrize("empty", [[], ()])
def test_empty_list_of_ids_or_choices_matches_nothing(inventory, key, empty):
    """Never "all rows": a module deleting the listed ids must delete none when none is given."""
    check({key: empty}, set())
    assert models.list(filters={key: empty})["filters"] == {key: []}


@pytest.mark.parametrize("empty", [[], (), ",", " , "])
def test_empty_capability_set_is_no_constraint(inventory, empty):
    check({"capabilities": empty}, {row["name"] for row in inventory.values()})
    assert models.list(filters={"capabilities": empty})["filters"] == {}


@pytest.mark.parametrize("key", ["name", "q", "is_downloaded"])
def test_empty_list_for_a_single_value_filter_is_an_error(db, key):
    with pytest.raises(module_sdk.ValidationError) as error:
        models.count({key: []})
    assert key in error.value.errors
