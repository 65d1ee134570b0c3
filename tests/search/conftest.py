"""A small inventory where each entity holds the searched text in a different field."""

from __future__ import annotations

import pytest


@pytest.fixture
def findable(sdk, engine, make_model) -> dict[str, dict]:
    """Rows whose only match for "zephyr" is a path, a family, a tag, a URL or a name."""
    catalog = sdk.models.available_model_registry
    return {
        "engine": sdk.models.engine_registry.create({"name": "zephyr-box", "provider": "vllm"}),
        "family": catalog.create({"name": "cat-one", "family": "Zephyr-Family"}),
        "tags": catalog.create({"name": "cat-two", "tags": "small,zephyr7"}),
        "catalog_url": catalog.create(
            {"name": "cat-three", "remote_url": "https://example.org/ZEPHYR/x"}
        ),
        "path": make_model("reg-one", model_path="/srv/models/zephyr-q4.gguf"),
        "model_url": make_model("reg-two", remote_url="hf://org/zephyr-beta"),
        "other": make_model("reg-three", model_path="/srv/models/llama.gguf"),
    }
