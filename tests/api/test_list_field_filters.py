"""Whole-token filters on the catalog's free lists (tags, extended capabilities, interfaces)
and the exact name lookup, through every door: SDK, API, HTTP client, pages, and the
published metadata (filters_model, OpenAPI)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

catalog = module_sdk.models.available_model_registry


@pytest.fixture
def rows(db) -> dict[str, dict]:
    made = {
        "flux": {"name": "flux-dev", "tags": "image,open", "extended_capabilities": "streaming"},
        "gpt": {
            "name": "GPT-4o",
            "tags": ["chat", "closed"],
            "extended_capabilities": ["pdf_input", "prompt_caching"],
            "interfaces": "openai,responses",
        },
        "gpt_mini": {
            "name": "gpt-4o-mini",
            "tags": "chat,closed,small",
            "extended_capabilities": "pdf_input",
            "interfaces": "openai",
        },
        "imagery": {"name": "imagery", "tags": "images", "interfaces": "openai_compatible"},
    }
    return {key: catalog.create(payload) for key, payload in made.items()}


def names(result: dict) -> list[str]:
    return sorted(row["name"] for row in result["rows"])


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"tags": "chat"}, ["GPT-4o", "gpt-4o-mini"]),
        ({"tags": "image"}, ["flux-dev"]),  # "image" never matches "images"
        ({"tags": ["chat", "small"]}, ["gpt-4o-mini"]),
        ({"tags": "chat, small"}, ["gpt-4o-mini"]),
        ({"extended_capabilities": "pdf_input"}, ["GPT-4o", "gpt-4o-mini"]),
        ({"extended_capabilities": "pdf_input,prompt_caching"}, ["GPT-4o"]),
        ({"extended_capabilities": "prompt_cache"}, ["GPT-4o"]),  # an alias
        ({"interfaces": "openai"}, ["GPT-4o", "gpt-4o-mini"]),
        ({"interfaces": "responses", "tags": "closed"}, ["GPT-4o"]),
        ({"name_exact": "gpt-4o"}, ["GPT-4o"]),
        ({"name_exact": " GPT-4O "}, ["GPT-4o"]),
        ({"name_exact": "gpt-4"}, []),
        ({"name": "gpt-4o"}, ["GPT-4o", "gpt-4o-mini"]),
    ],
)
def test_sdk_filters(rows, filters, expected):
    assert names(catalog.list(filters=filters, page_size=200)) == expected
    assert catalog.count(filters) == len(expected)


def test_unknown_extended_capability_is_refused_with_the_vocabulary(rows):
    with pytest.raises(module_sdk.ValidationError) as error:
        catalog.list(filters={"extended_capabilities": "pdf"})
    message = error.value.errors["extended_capabilities"][0]
    assert message.startswith("unknown extended capability 'pdf'; known extended capabilities:")
    assert "pdf_input" in message


def test_filters_echoed_normalized(rows):
    result = catalog.list(filters={"tags": [" chat", "closed", "chat"], "name_exact": " GPT-4o "})
    assert result["filters"] == {"tags": "chat,closed", "name_exact": "GPT-4o"}


def test_exact_name_on_every_entity(engine, make_model):
    make_model("llama3")
    make_model("llama3-large")
    models = module_sdk.models.model_registry.list(filters={"name_exact": "LLAMA3"})
    assert [row["name"] for row in models["rows"]] == ["llama3"]
    engines = module_sdk.models.engine_registry.list(filters={"name_exact": engine["name"]})
    assert [row["id"] for row in engines["rows"]] == [engine["id"]]


def test_filters_model_and_bad_values(rows):
    published = {entry["field"]: entry["type"] for entry in catalog.filters_model()}
    assert published["tags"] == published["interfaces"] == "tokens"
    assert published["extended_capabilities"] == "tokens"
    assert published["name_exact"] == "exact"
    for name in ("engine_registry", "model_registry"):
        sdk_models = getattr(module_sdk.models, name)
        assert "name_exact" in [entry["field"] for entry in sdk_models.filters_model()]
    with pytest.raises(module_sdk.ValidationError) as error:
        catalog.list(filters={"tags": {"a": 1}})
    assert error.value.errors == {
        "tags": ["tags must be a comma-separated string or a list of strings"]
    }


def test_api_filters(rows, api):
    url = "/api/v1/available-model-registry/"
    body = api.get(url, {"tags": ["chat", "small"]}).json()
    assert names(body) == ["gpt-4o-mini"]
    body = api.get(url, {"extended_capabilities": "pdf_input", "name_exact": "gpt-4o"}).json()
    assert names(body) == ["GPT-4o"]
    assert body["filters"] == {"extended_capabilities": "pdf_input", "name_exact": "gpt-4o"}


def test_openapi_lists_the_filters(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/available-model-registry/"]["get"]
    parameters = {item["name"]: item for item in operation["parameters"]}
    assert parameters["tags"]["schema"]["type"] == "array"
    assert "extended_capabilities" in parameters and "interfaces" in parameters
    assert "case-insensitive" in parameters["name_exact"]["description"]


def test_http_client_filters(rows, http_client):
    listing = http_client.models.available_model_registry.list(
        filters={"extended_capabilities": ["pdf_input", "prompt_caching"]}
    )
    assert names(listing) == ["GPT-4o"]
    assert http_client.models.available_model_registry.count({"name_exact": "GPT-4O-MINI"}) == 1


def test_page_filters(rows, admin_client):
    url = reverse("inventory:catalog-list")
    page = admin_client.get(url, {"tags": "closed", "interfaces": "responses"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "GPT-4o" in text and "gpt-4o-mini" not in text and "flux-dev" not in text
    page = admin_client.get(url, {"name_exact": "flux-dev"})
    assert "flux-dev" in page.content.decode() and "imagery" not in page.content.decode()
    assert 'name="extended_capabilities"' in page.content.decode()
