"""``remote_url`` holds a URL with a scheme on catalog and registered rows alike."""

from __future__ import annotations

import pytest

from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

GOOD = [
    "https://huggingface.co/BAAI/bge-m3",
    "hf://BAAI/bge-m3",
    "ollama://llama3.1:8b",
    "s3://models/llama/model.gguf",
    "file:///srv/models/phi3.gguf",
    "",
]
BAD = [
    "huggingface.co/BAAI/bge-m3",
    "llama3",
    "https://has space",
    "javascript://%0aalert(1)",
    "data://text/html,x",
    "://missing-scheme",
]


@pytest.mark.parametrize("url", GOOD)
def test_urls_with_a_scheme_are_stored(make_model, url):
    assert make_model(remote_url=url)["remote_url"] == url
    catalog = module_sdk.models.available_model_registry.create({"name": "c", "remote_url": url})
    assert catalog["remote_url"] == url


@pytest.mark.parametrize("url", BAD)
def test_other_values_are_refused_by_field(make_model, url):
    message = (
        "remote_url must be a URL with a scheme, such as https://…, hf://… or ollama://…, "
        f"got {url!r}"
    )
    expect_invalid(lambda: make_model(remote_url=url), "remote_url", message, first=True)
    expect_invalid(
        lambda: module_sdk.models.available_model_registry.create({"name": "c", "remote_url": url}),
        "remote_url",
        message,
        first=True,
    )
    assert module_sdk.models.model_registry.count() == 0
    assert module_sdk.models.available_model_registry.count() == 0
