"""Capability-specific ``extra_config`` rules (``dim``, ``defaults``) through the SDK, and the
JSON Schemas published for them."""

from __future__ import annotations

import pytest

from inventory.extra_config import DEFAULT_KEYS
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry
DIM_INVALID = "extra_config.dim must be a positive integer"
DIM_ONLY_EMBEDDING = "extra_config.dim is only allowed on models with the embedding capability"
DEFAULTS_ONLY_LLM = (
    "extra_config.defaults (LLM generation defaults) is only allowed on models with the chat "
    "or reasoning capability (other models may set only context_length)"
)


def create(engine: dict, capabilities: str, extra_config: object, name: str = "m") -> dict:
    return models.create(
        {
            "name": name,
            "engine_id": engine["id"],
            "capabilities": capabilities,
            "extra_config": extra_config,
        }
    )


# --- dim -------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 384, 768, 4096])
def test_dim_positive_integer_on_embedding(engine, dim):
    assert create(engine, "embedding", {"dim": dim})["extra_config"] == {"dim": dim}


@pytest.mark.parametrize("dim", [0, -1, True, False, 0.0, 1.5, "768", None, [768], {"v": 1}])
def test_dim_rejects_non_positive_or_non_integer(engine, dim):
    expect_invalid(
        lambda: create(engine, "embedding", {"dim": dim}),
        "extra_config",
        f"{DIM_INVALID}, got {dim!r}",
        first=True,
    )


def test_whole_numbers_are_integers_as_in_json_schema(engine):
    """``768.0`` is the JSON number ``768``: accepted where an integer is, stored as one."""
    row = create(engine, "embedding,chat", {"dim": 768.0, "defaults": {"top_k": 5.0}})
    assert row["extra_config"] == {"dim": 768, "defaults": {"top_k": 5}}
    assert isinstance(row["extra_config"]["dim"], int)


@pytest.mark.parametrize("capabilities", ["", "chat", "reranking,classification", "stt"])
def test_dim_only_with_embedding(engine, capabilities):
    expect_invalid(
        lambda: create(engine, capabilities, {"dim": 768}),
        "extra_config",
        DIM_ONLY_EMBEDDING,
        first=True,
    )


def test_dim_alias_capability_counts(engine):
    assert create(engine, "Embeddings", {"dim": 1024})["capabilities"] == "embedding"


def test_removing_embedding_keeps_dim_invalid(engine):
    row = create(engine, "embedding,reranking", {"dim": 768})
    expect_invalid(
        lambda: models.update(row["id"], {"capabilities": "reranking"}),
        "extra_config",
        DIM_ONLY_EMBEDDING,
    )
    assert models.view(row["id"])["capabilities"] == "embedding,reranking"


# --- defaults --------------------------------------------------------------------------------

GOOD_DEFAULTS = {
    "temperature": 0.7,
    "top_p": 1,
    "top_k": 40,
    "max_tokens": 2048,
    "presence_penalty": -2,
    "frequency_penalty": 2,
    "stop": ["</s>", "<|eot_id|>"],
    "seed": -42,
    "context_length": 8192,
    "output_parser": "json",
    "reasoning_parser": "deepseek_r1",
    "extra": {"mirostat": 2, "anything": {"goes": [1, "x"]}},
}


@pytest.mark.parametrize("capabilities", ["chat", "reasoning", "reasoning,embedding"])
def test_defaults_allowed_on_llm(engine, capabilities):
    extra = {"defaults": GOOD_DEFAULTS}
    if "embedding" in capabilities:
        extra["dim"] = 256
    assert create(engine, capabilities, extra)["extra_config"] == extra


def test_temperature_bounds_inclusive(engine):
    create(engine, "chat", {"defaults": {"temperature": 0}}, name="a")
    create(engine, "chat", {"defaults": {"temperature": 2}}, name="b")


@pytest.mark.parametrize(
    "capabilities", ["embedding", "reranking", "classification", "stt", "tts", "detection", ""]
)
def test_defaults_only_on_chat_or_reasoning(engine, capabilities):
    expect_invalid(
        lambda: create(engine, capabilities, {"defaults": {"temperature": 0.2}}),
        "extra_config",
        DEFAULTS_ONLY_LLM,
        first=True,
    )


def test_empty_defaults_allowed_anywhere(engine):
    assert create(engine, "embedding", {"defaults": {}})["extra_config"] == {"defaults": {}}


@pytest.mark.parametrize("capabilities", ["embedding", "image_generation", "reranking", ""])
def test_context_length_allowed_on_any_model(engine, capabilities):
    """The input window describes any model that reads tokens (real catalogs state it for
    embeddings, image generation, rerankers); it is still range-checked."""
    config = {"defaults": {"context_length": 8192}}
    assert create(engine, capabilities, config)["extra_config"] == config
    expect_invalid(
        lambda: create(engine, capabilities, {"defaults": {"context_length": 0}}, name="n"),
        "extra_config",
        "extra_config.defaults.context_length must be a positive integer, got 0",
    )


@pytest.mark.parametrize(
    "key, value, expectation",
    [
        ("temperature", -0.1, "a number between 0 and 2"),
        ("temperature", 2.01, "a number between 0 and 2"),
        ("temperature", "hot", "a number between 0 and 2"),
        ("temperature", True, "a number between 0 and 2"),
        ("top_p", 0, "a number greater than 0 and at most 1"),
        ("top_p", 1.5, "a number greater than 0 and at most 1"),
        ("top_k", 0, "a positive integer"),
        ("top_k", 0.0, "a positive integer"),
        ("max_tokens", -1, "a positive integer"),
        ("max_tokens", "512", "a positive integer"),
        ("presence_penalty", -2.5, "a number between -2 and 2"),
        ("frequency_penalty", 3, "a number between -2 and 2"),
        ("stop", "</s>", "a list of strings"),
        ("stop", ["ok", 3], "a list of strings"),
        ("seed", 1.5, "an integer"),
        ("seed", False, "an integer"),
        ("context_length", 0, "a positive integer"),
        ("output_parser", 1, "a string"),
        ("reasoning_parser", None, "a string"),
        ("extra", [1], "a JSON object"),
    ],
)
def test_known_defaults_range_checked(engine, key, value, expectation):
    expect_invalid(
        lambda: create(engine, "chat", {"defaults": {key: value}}),
        "extra_config",
        f"extra_config.defaults.{key} must be {expectation}, got {value!r}",
        first=True,
    )


def test_non_finite_default_refused(engine):
    error = expect_invalid(
        lambda: create(engine, "chat", {"defaults": {"temperature": float("nan")}}),
        "extra_config",
        "extra_config.defaults.temperature must be a number between 0 and 2, got nan",
    )
    assert "extra_config must not contain NaN or Infinity" in error.errors["extra_config"]


def test_misspelt_default_names_known_keys(engine):
    error = expect_invalid(
        lambda: create(engine, "chat", {"defaults": {"temprature": 0.5}}),
        "extra_config",
        "extra_config.defaults.temprature is not a known key; known keys: "
        + ", ".join(DEFAULT_KEYS)
        + " (engine-specific settings go under defaults.extra)",
        first=True,
    )
    assert "temperature" in str(error)


def test_every_bad_default_reported(engine):
    error = expect_invalid(
        lambda: create(engine, "chat", {"defaults": {"top_p": 0, "topk": 3}}),
        "extra_config",
        "extra_config.defaults.top_p must be a number greater than 0 and at most 1, got 0",
    )
    assert len(error.errors["extra_config"]) == 2


def test_defaults_must_be_object(engine):
    expect_invalid(
        lambda: create(engine, "chat", {"defaults": [0.5]}),
        "extra_config",
        "extra_config.defaults must be a JSON object",
    )


def test_defaults_extra_is_free(engine):
    extra = {"defaults": {"extra": {"temprature": "whatever", "nested": {"x": [None]}}}}
    assert create(engine, "chat", extra)["extra_config"] == extra


def test_other_extra_config_keys_are_free(engine):
    extra = {"source_mode": "artifact", "quantization": "Q4_K_M"}
    assert create(engine, "stt", extra)["extra_config"] == extra


# --- schemas ---------------------------------------------------------------------------------


def test_schemas_published_per_capability():
    schemas = module_sdk.capabilities.extra_config_schemas()
    assert set(schemas) == set(module_sdk.capabilities.vocabulary)
    assert schemas["embedding"]["properties"]["dim"] == {
        "type": "integer",
        "minimum": 1,
        "description": "Vector dimension of the embeddings this model produces.",
    }
    chat_defaults = schemas["chat"]["properties"]["defaults"]
    assert set(chat_defaults["properties"]) == set(DEFAULT_KEYS)
    assert chat_defaults["additionalProperties"] is False
    assert chat_defaults["properties"]["top_p"]["exclusiveMinimum"] == 0
    assert schemas["reasoning"]["properties"]["defaults"] == chat_defaults
    embedding_defaults = schemas["embedding"]["properties"]["defaults"]
    assert set(embedding_defaults["properties"]) == {"context_length"}
    assert embedding_defaults["additionalProperties"] is False
    assert schemas["chat"]["properties"]["dim"]["not"] == {}


def test_schema_for_combined_capabilities():
    schema = module_sdk.capabilities.extra_config_schema("embed,chat")
    assert schema["properties"]["dim"]["type"] == "integer"
    assert schema["properties"]["defaults"]["type"] == "object"
    assert "properties" in schema["properties"]["defaults"]
