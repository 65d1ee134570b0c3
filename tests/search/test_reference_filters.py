"""The ``engine`` and ``available_model`` filters of registered models take the referenced
row's whole name (any case) or its id: what the typeahead fills in, or a typed name."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk

models = module_sdk.models.model_registry


@pytest.fixture
def two_engines(sdk, engine, other_engine, make_model, catalog_model) -> dict:
    make_model("on-ollama", available_model_id=catalog_model["id"])
    make_model("also-ollama")
    sdk.models.model_registry.create({"name": "on-vllm", "engine_id": other_engine["id"]})
    return {"engine": engine, "other": other_engine, "catalog": catalog_model}


def names(filters: dict) -> list[str]:
    return sorted(row["name"] for row in models.all(filters=filters)["rows"])


def test_engine_by_name_in_any_case_or_by_id(two_engines) -> None:
    assert names({"engine": "OLLAMA-test"}) == ["also-ollama", "on-ollama"]
    assert names({"engine": str(two_engines["other"]["id"])}) == ["on-vllm"]
    assert names({"engine": "ollama"}) == []  # the whole name, not a substring


def test_catalog_model_by_name_or_id(two_engines) -> None:
    assert names({"available_model": "nomic-embed-text"}) == ["on-ollama"]
    assert names({"available_model": two_engines["catalog"]["id"]}) == ["on-ollama"]


def test_a_numeric_name_matches_by_name_too(sdk, two_engines) -> None:
    named = sdk.models.engine_registry.create({"name": "4242", "provider": "ollama"})
    models.create({"name": "numbered", "engine_id": named["id"]})
    assert names({"engine": "4242"}) == ["numbered"]


def test_api_and_page_filter_the_same(admin_client, two_engines) -> None:
    body = admin_client.get("/api/v1/model-registry/", {"engine": "vllm-test"}).json()
    assert [row["name"] for row in body["rows"]] == ["on-vllm"]
    assert body["filters"] == {"engine": "vllm-test"}
    html = admin_client.get("/models/", {"engine": "vllm-test"}).content.decode()
    assert 'data-testid="total-rows">1<' in html


def test_a_list_value_is_refused_naming_the_filter(two_engines) -> None:
    with pytest.raises(RegistryValidationError) as caught:
        models.list(filters={"engine": ["a", "b"]})
    assert "engine" in caught.value.errors
