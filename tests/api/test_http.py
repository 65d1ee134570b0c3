"""HTTP behaviour of the API: error bodies, ETags and If-Match, PUT semantics, query counts,
the OpenAPI schema and the docs pages."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.client import list_params
from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk

ENTITIES = ("engine_registry", "available_model_registry", "model_registry")
ROOT = Path(__file__).resolve().parents[2]


def url(name: str, pk: object = None) -> str:
    base = f"/api/v1/{name.replace('_', '-')}/"
    return base if pk is None else f"{base}{pk}/"


def assert_error(response, status: int, field: str | None = None, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["errors"], dict)
    first = next(iter(body["errors"].values()))[0]
    assert body["detail"] == first
    if field is not None:
        assert field in body["errors"], body
    if message is not None:
        assert body["detail"] == message
    return body


# --- error bodies --------------------------------------------------------------------------


def test_validation_errors_carry_fields(api, engine):
    response = api.post(url("model_registry"), {"name": "x", "engine_id": 999}, format="json")
    assert_error(response, 400, "engine_id", "engine_id does not exist")
    response = api.post(url("model_registry"), {}, format="json")
    assert_error(response, 400, message="name and engine_id are required")


def test_malformed_json_is_a_400_in_the_same_shape(api, engine):
    for method, path in (("post", url("engine_registry")), ("patch", url("engine_registry", 1))):
        response = getattr(api, method)(path, "{not json", content_type="application/json")
        assert_error(response, 400, "__all__")
    response = api.post(url("engine_registry"), "name=x", content_type="text/plain")
    assert_error(response, 415)


def test_unknown_paths_under_api_are_404_in_the_same_shape(api, db):
    for path in ("/api/v1/nothing/", "/api/v1/model-registry/1/nothing/", "/api/", "/api/v2/"):
        body = assert_error(api.get(path), 404)
        assert body["detail"] == f"no API endpoint at {path}"
    assert_error(api.post("/api/v1/nothing", {}, format="json"), 404)


def test_a_missing_trailing_slash_keeps_the_method(api, engine):
    """308, not Django's 301 (after which clients turn a POST into a GET of the list)."""
    before = module_sdk.models.engine_registry.count()
    response = api.post("/api/v1/engine-registry?x=1", {"name": "e"}, format="json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/engine-registry/?x=1"
    assert module_sdk.models.engine_registry.count() == before
    assert api.get(f"/api/v1/model-registry/{engine['id']}/reconcile").status_code == 308
    followed = api.post(
        "/api/v1/engine-registry", {"name": "e", "provider": "vllm"}, "json", follow=True
    )
    assert followed.status_code == 201 and followed.json()["name"] == "e"


def test_other_http_errors_have_the_same_shape(api, db):
    assert_error(api.put(url("engine_registry")), 405)
    assert_error(api.get(url("engine_registry"), HTTP_ACCEPT="text/csv"), 406)
    assert_error(api.post(url("engine_registry"), "x", content_type="text/plain"), 415)


def test_nan_is_refused_by_field_like_the_sdk(api, engine):
    body = f'{{"name": "x", "engine_id": {engine["id"]}, "extra_config": {{"dim": NaN}}}}'
    response = api.post(url("model_registry"), body, content_type="application/json")
    with pytest.raises(RegistryValidationError) as refused:
        module_sdk.models.model_registry.create(
            {"name": "x", "engine_id": engine["id"], "extra_config": {"dim": float("nan")}}
        )
    assert response.json() == refused.value.as_dict()
    assert_error(response, 400, "extra_config")


def test_missing_rows_are_404(api, db):
    for name in ENTITIES:
        assert_error(api.get(url(name, 4242)), 404)
        assert_error(api.patch(url(name, 4242), {}, format="json"), 404)
        assert_error(api.put(url(name, 4242), {}, format="json"), 404)
        assert_error(api.delete(url(name, 4242)), 404)


def test_bad_ids_are_400(api, db):
    assert_error(api.get(url("model_registry", "abc")), 400, "id")


def test_refused_delete_is_409(api, engine, make_model):
    make_model("llama3")
    body = assert_error(api.delete(url("engine_registry", engine["id"])), 409)
    assert "still has 1 registered model" in body["detail"]
    assert module_sdk.models.engine_registry.view(engine["id"]) == engine


def test_unknown_and_malformed_list_parameters_are_named(api, db):
    assert_error(api.get(url("model_registry"), {"colour": "red"}), 400, "colour")
    assert_error(api.get(url("model_registry"), {"page": "x"}), 400, "page")
    assert_error(api.get(url("model_registry"), {"page_size": "1.5"}), 400, "page_size")
    assert_error(api.get(url("model_registry"), {"direction": "up"}), 400, "direction")
    assert_error(api.get(url("model_registry"), {"engine_id": "three"}), 400, "engine_id")
    assert_error(api.get(url("model_registry") + "table-model/", {"x": 1}), 400, "x")
    assert_error(api.get(url("model_registry", 1), {"x": 1}), 400, "x")
    assert_error(api.patch(url("model_registry", 1) + "?x=1", {}, format="json"), 400, "x")


def test_format_is_a_filter_not_a_renderer_switch(api, catalog_model):
    response = api.get(url("available_model_registry"), {"format": "remote"})
    assert response.status_code == 200
    assert response.json()["filters"] == {"format": "remote"}
    assert [row["id"] for row in response.json()["rows"]] == [catalog_model["id"]]


def test_list_params_round_trip(api, engine, make_model):
    llama = make_model("llama3", capabilities="chat")
    cases = [
        {"filters": {"id": [llama["id"]]}, "sort": {"field": "name", "direction": "desc"}},
        {"filters": {"status": ["available", "active"], "capabilities": ["chat"]}},
        {"filters": {"is_downloaded": False, "engine_id": engine["id"]}, "sort": "-id"},
        {"filters": {"name": "a,b", "q": ""}, "sort": ("vram_required_mb", "asc")},
    ]
    for case in cases:
        expected = module_sdk.models.model_registry.list(page=0, page_size=10, **case)
        params = list_params(0, 10, case.get("filters"), case.get("sort"))
        query = "&".join(f"{key}={value}" for key, value in params)
        got = api.get(url("model_registry") + "?" + query).json()
        assert got == expected


# --- ETags, If-Match and PUT ---------------------------------------------------------------


def test_detail_responses_carry_an_etag_that_changes_with_the_row(api, make_model):
    row = make_model("llama3")
    first = api.get(url("model_registry", row["id"]))
    etag = first["ETag"]
    assert etag.startswith('"') and api.get(url("model_registry", row["id"]))["ETag"] == etag
    patched = api.patch(url("model_registry", row["id"]), {"version": "2"}, format="json")
    assert patched["ETag"] != etag
    assert patched["ETag"] == api.get(url("model_registry", row["id"]))["ETag"]


@pytest.mark.parametrize(
    ("method", "payload"),
    [("put", {"name": "llama3", "engine_id": None}), ("patch", {"version": "9"}), ("delete", None)],
)
def test_stale_if_match_is_412_and_changes_nothing(api, make_model, method, payload):
    row = make_model("llama3", version="1")
    path = url("model_registry", row["id"])
    stale = api.get(path)["ETag"]
    module_sdk.models.model_registry.update(row["id"], {"status": "active"})
    current = module_sdk.models.model_registry.view(row["id"])
    if payload is not None and "engine_id" in payload:
        payload["engine_id"] = row["engine_id"]
    response = getattr(api, method)(path, payload, format="json", HTTP_IF_MATCH=stale)
    assert_error(response, 412)
    assert module_sdk.models.model_registry.view(row["id"]) == current

    fresh = api.get(path)["ETag"]
    response = getattr(api, method)(path, payload, format="json", HTTP_IF_MATCH=fresh)
    assert response.status_code == (204 if method == "delete" else 200)


def test_if_match_star_and_lists(api, make_model):
    row = make_model("llama3")
    path = url("model_registry", row["id"])
    etag = api.get(path)["ETag"]
    response = api.patch(path, {"version": "2"}, format="json", HTTP_IF_MATCH=f'"x", W/{etag}')
    assert response.status_code == 200
    response = api.patch(path, {"version": "3"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200


def test_put_replaces_and_patch_updates(api, engine, make_model):
    row = make_model("llama3", version="1", capabilities="chat", vram_required_mb=10)
    path = url("model_registry", row["id"])
    patched = api.patch(path, {"version": "2"}, format="json").json()
    assert (patched["version"], patched["capabilities"], patched["vram_required_mb"]) == (
        "2",
        "chat",
        10,
    )
    replaced = api.put(path, {"name": "llama3", "engine_id": engine["id"]}, format="json").json()
    assert (replaced["version"], replaced["capabilities"], replaced["vram_required_mb"]) == (
        "",
        "",
        0,
    )
    assert replaced["created_at"] == row["created_at"]
    response = api.put(path, {"version": "3"}, format="json")
    assert_error(response, 400, message="name and engine_id are required")
    assert module_sdk.models.model_registry.view(row["id"]) == replaced


def test_create_returns_201_with_location_and_etag(api, engine):
    response = api.post(url("engine_registry"), {"name": "e", "provider": "vllm"}, format="json")
    assert response.status_code == 201
    row = response.json()
    assert row == module_sdk.models.engine_registry.view(row["id"])
    assert response["Location"].endswith(url("engine_registry", row["id"]))
    assert response["ETag"] == api.get(url("engine_registry", row["id"]))["ETag"]


# --- query counts --------------------------------------------------------------------------


@pytest.fixture
def many_rows(engine, make_model):
    module_sdk.models.available_model_registry.create({"name": "c0", "capabilities": "chat"})
    for index in range(210):
        make_model(f"m{index:03}", capabilities="chat,embedding", extra_config={"dim": 8})
    for index in range(210):
        module_sdk.models.engine_registry.create({"name": f"e{index:03}", "provider": "vllm"})
        module_sdk.models.available_model_registry.create(
            {"name": f"c{index:03}x", "capabilities": "chat"}
        )


@pytest.mark.parametrize("name", ENTITIES)
def test_list_query_count_does_not_grow_with_page_size(client_for, reader, many_rows, name):
    client = client_for(reader)
    counts = {}
    for size in (1, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url(name),
                {"page_size": size, "capabilities": "chat"}
                if name != "engine_registry"
                else {"page_size": size},
            )
        assert response.status_code == 200
        assert len(response.json()["rows"]) == size
        counts[size] = len(queries)
    assert counts[1] == counts[200] <= 6


# --- schema and docs -----------------------------------------------------------------------


def test_schema_generates_without_warnings(db):
    out = StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"/api/v1/model-registry/"' in out.getvalue()


def test_schema_describes_lists_from_the_declaration(admin_client):
    schema = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/model-registry/"]["get"]
    params = {item["name"]: item for item in operation["parameters"]}
    expected = {"page", "page_size", "cursor", "sort", "direction"} | {
        entry["field"] for entry in module_sdk.models.model_registry.filters_model()
    }
    assert set(params) == expected
    assert params["status"]["schema"]["items"]["enum"] == [
        "available",
        "active",
        "downloading",
        "error",
        "disabled",
    ]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ModelRegistryList"}
    envelope = schema["components"]["schemas"]["ModelRegistryList"]
    assert envelope["required"] == ["rows", "total_rows", "page", "page_size", "filters", "sort"]
    row = schema["components"]["schemas"]["ModelRegistryRow"]
    assert list(row["properties"]) == [
        field for field in module_sdk.models.model_registry.declaration.by_name
    ]
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_docs_pages_use_vendored_assets(admin_client):
    client = admin_client
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
        assert not re.findall(r'(?:href|src)="(?:https?:)?//', html)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data: blob:" in policy
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and "<script>" not in html
        scripts = re.findall(r'src="([^"]+)"', html)
        assert scripts and all(
            "drf_spectacular_sidecar" in src or src.startswith((path, "/static/"))
            for src in scripts
        )
        for src in scripts:
            assert client.get(src).status_code == 200, src


def test_client_imports_no_django():
    code = (
        "import sys, inventory.client; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={"PATH": ""})
