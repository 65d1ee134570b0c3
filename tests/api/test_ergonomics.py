"""What people expect of a REST API: an index of the endpoints, ``?format=json`` and filter
descriptions that say what each filter does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_index_lists_the_endpoints(api):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    endpoints = response.json()["endpoints"]
    for name, path in {
        "engine_registry-list": "/api/v1/engine-registry/",
        "available_model_registry-list": "/api/v1/available-model-registry/",
        "model_registry-list": "/api/v1/model-registry/",
        "knowledge-config": "/api/v1/knowledge/config/",
        "capabilities": "/api/v1/capabilities/",
        "schema": "/api/schema/",
    }.items():
        assert endpoints[name] == f"http://testserver{path}", name
    assert not [url for url in endpoints.values() if "{" in url or "<" in url]
    assert api.get("/api/v1/", {"x": 1}).status_code == 400


def test_format_json_picks_json_even_for_a_browser(api, catalog_model):
    browser = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    assert api.get("/api/v1/engine-registry/", **browser)["Content-Type"].startswith("text/html")
    response = api.get("/api/v1/engine-registry/", {"format": "json"}, **browser)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["filters"] == {}
    # On the catalog "format" is also a filter: format=json filters and answers in JSON.
    catalog = api.get("/api/v1/available-model-registry/", {"format": "json"}, **browser)
    assert catalog["Content-Type"] == "application/json"
    assert catalog.json()["filters"] == {"format": "json"}
    assert api.get("/api/v1/engine-registry/", {"format": "xml"}).status_code == 400


def test_filter_descriptions_say_what_each_filter_does(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {
        item["name"]: item
        for item in schema["paths"]["/api/v1/engine-registry/"]["get"]["parameters"]
    }
    assert "Exact term of the vocabulary" in parameters["provider"]["description"]
    assert "substring" in parameters["name"]["description"]
    models = {
        item["name"]: item
        for item in schema["paths"]["/api/v1/model-registry/"]["get"]["parameters"]
    }
    capabilities = models["capabilities"]
    assert "aliases accepted" in capabilities["description"]
    assert capabilities["schema"] == {"type": "array", "items": {"type": "string"}}
    assert "enum" not in models["sort"]["schema"]
