"""The workflow endpoints of the REST API and the HTTP client's ``workflows`` facade."""

from __future__ import annotations

import json

import pytest
import yaml
from rest_framework.test import APIClient

from inventory.client import RegistryClient
from inventory.models import ApiToken, AvailableModel, RegisteredModel

V1 = "/api/v1/"


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def catalog(sdk) -> dict:
    return sdk.models.available_model_registry.create(
        {
            "name": "llama3.1:8b",
            "capabilities": "chat",
            "provider_hint": "ollama",
            "remote_url": "ollama://llama3.1:8b",
            "version": "8b",
        }
    )


def test_bind_creates_then_updates(api, engine, catalog):
    body = {"engine_id": engine["id"], "available_model_id": catalog["id"]}
    first = api.post(f"{V1}model-registry/bind/", body, format="json")
    assert first.status_code == 201
    assert first.json()["row"]["name"] == f"engine_{engine['id']}__llama3.1_8b"
    second = api.post(
        f"{V1}model-registry/bind/", {**body, "extra_config": {"k": 1}}, format="json"
    )
    assert second.status_code == 200
    assert second.json()["created"] is False
    assert second.json()["row"]["extra_config"] == {"k": 1}
    assert RegisteredModel.objects.count() == 1


def test_bind_refusal_is_a_400_with_the_message(api, other_engine, catalog):
    response = api.post(
        f"{V1}model-registry/bind/",
        {"engine_id": other_engine["id"], "available_model_id": catalog["id"]},
        format="json",
    )
    assert response.status_code == 400
    assert "provider_hint admits ollama" in response.json()["detail"]
    response = api.post(f"{V1}model-registry/bind/", {"engine_id": 1, "x": 1}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"x", "available_model_id"}


def test_deactivate_and_reconcile(api, sdk, engine, catalog):
    row = sdk.workflows.bind(engine["id"], catalog["id"])["row"]
    response = api.post(f"{V1}model-registry/{row['id']}/deactivate/")
    assert response.status_code == 200 and response.json()["status"] == "available"
    assert api.post(f"{V1}model-registry/999999/deactivate/").status_code == 404

    sdk.models.available_model_registry.update(catalog["id"], {"version": "8b-q8"})
    diff = api.get(f"{V1}model-registry/{row['id']}/reconcile/").json()
    assert diff["differences"] == [{"field": "version", "registered": "8b", "catalog": "8b-q8"}]
    applied = api.post(f"{V1}model-registry/{row['id']}/reconcile/", {}, format="json").json()
    assert applied["applied"] == ["version"] and applied["row"]["version"] == "8b-q8"
    assert api.get(f"{V1}model-registry/999999/reconcile/").status_code == 404


def test_stale_list_and_prune(api, make_model):
    stale = make_model("broken", status="error")
    keep = make_model("fine")
    listing = api.get(f"{V1}model-registry/stale/").json()
    assert [row["id"] for row in listing["rows"]] == [stale["id"]]
    ids = [row["id"] for row in listing["rows"]]
    dry = api.post(f"{V1}model-registry/stale/", {"ids": ids}, format="json").json()
    assert dry["deleted"] == [] and RegisteredModel.objects.count() == 2
    done = api.post(f"{V1}model-registry/stale/", {"ids": ids, "confirm": True}, format="json")
    assert [row["id"] for row in done.json()["deleted"]] == [stale["id"]]
    assert list(RegisteredModel.objects.values_list("pk", flat=True)) == [keep["id"]]
    assert api.get(f"{V1}model-registry/stale/?nope=1").status_code == 400


def test_export_and_import(api, sdk, engine, catalog):
    exported = api.get(f"{V1}inventory/export/?format=yaml")
    assert exported["Content-Disposition"] == 'attachment; filename="inventory.yaml"'
    text = b"".join(exported.streaming_content).decode()
    assert yaml.safe_load(text)["catalog"][0]["name"] == "llama3.1:8b"

    document = {"catalog": [{"name": "new-one"}, {"name": "llama3.1:8b", "version": "9"}]}
    dry = api.post(f"{V1}inventory/import/", {"text": json.dumps(document)}, format="json")
    assert [row["action"] for row in dry.json()["rows"]] == ["created", "updated"]
    assert not AvailableModel.objects.filter(name="new-one").exists()

    upload = api.post(
        f"{V1}inventory/import/",
        {"file": _file("inv.json", json.dumps(document)), "apply": "true"},
        format="multipart",
    )
    assert upload.status_code == 200 and upload.json()["applied"] is True
    assert AvailableModel.objects.get(name="llama3.1:8b").version == "9"

    bad = {"catalog": [{"name": "x", "status": "weird"}]}
    refused = api.post(
        f"{V1}inventory/import/", {"text": json.dumps(bad), "apply": True}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["report"]["errors"][0]["field"] == "status"
    assert refused.json()["detail"].startswith("catalog row 1 ('x'), status:")


def _file(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


def test_permissions(client, make_user, engine, catalog):
    reader = make_user("reader", "inventory.view_registeredmodel")
    api = APIClient()
    api.force_authenticate(reader)
    assert api.get(f"{V1}model-registry/stale/").status_code == 200
    body = {"engine_id": engine["id"], "available_model_id": catalog["id"]}
    assert api.post(f"{V1}model-registry/bind/", body, format="json").status_code == 403
    assert api.post(f"{V1}model-registry/stale/", {"ids": []}, format="json").status_code == 403
    assert api.get(f"{V1}inventory/export/").status_code == 403
    assert api.post(f"{V1}inventory/import/", {"text": "{}"}, format="json").status_code == 403
    assert APIClient().get(f"{V1}model-registry/stale/").status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_http_client_workflows(live_server, admin_user, engine, catalog):
    client = RegistryClient(live_server.url, ApiToken.issue(admin_user, "tests")[1])
    try:
        row = client.workflows.bind(engine["id"], catalog["id"])["row"]
        assert client.workflows.deactivate(row["id"])["status"] == "available"
        assert client.workflows.reconcile(row["id"])["in_sync"] is True
        assert client.workflows.find_stale()["rows"] == []
        assert client.workflows.prune_stale([])["deleted"] == []
        text = client.workflows.export_inventory("json")
        report = client.workflows.import_inventory(text)
        assert {item["action"] for item in report["rows"]} == {"unchanged"}
        with pytest.raises(client.ValidationError, match="available_model_id does not exist"):
            client.workflows.bind(engine["id"], catalog["id"] + 1000)
        # A refused apply carries the per-row report, as in the SDK.
        bad = json.dumps({"catalog": [{"name": "ok"}, {"name": "x", "status": "weird"}]})
        with pytest.raises(
            client.ValidationError, match="catalog row 2 \\('x'\\), status"
        ) as caught:
            client.workflows.import_inventory(bad, apply=True)
        assert [row["action"] for row in caught.value.report["rows"]] == ["created", "refused"]
        assert not AvailableModel.objects.filter(name="ok").exists()
    finally:
        client.close()


def _nullable_as_json_schema(node):
    """OpenAPI 3.0 ``nullable`` as JSON Schema, so that ``jsonschema`` can check responses."""
    if isinstance(node, list):
        return [_nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def test_responses_match_the_published_schema(api, sdk, engine, catalog, make_model):
    """Real answers of every workflow operation, refusals included, against the OpenAPI
    document (Schemathesis checks generated requests; this checks meaningful ones)."""
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    generated = SchemaGenerator().get_schema(request=None, public=True)
    document = json.loads(json.dumps(generated, default=str))
    components = _nullable_as_json_schema(document["components"])

    def check(path: str, method: str, response, content_type: str = "application/json"):
        operation = document["paths"][path][method]
        described = operation["responses"][str(response.status_code)]
        target = _nullable_as_json_schema(described["content"][content_type]["schema"])
        assert "properties" in target or "$ref" in target  # a described shape, not any object
        body = response.json() if content_type == "application/json" else response.data
        jsonschema.validate(body, {**target, "components": components})

    bind = f"{V1}model-registry/bind/"
    body = {"engine_id": engine["id"], "available_model_id": catalog["id"]}
    row = api.post(bind, body, format="json")
    check("/api/v1/model-registry/bind/", "post", row)
    check("/api/v1/model-registry/bind/", "post", api.post(bind, body, format="json"))
    row_id = row.json()["row"]["id"]
    sdk.models.available_model_registry.update(
        catalog["id"], {"version": "9", "extra_config": {"defaults": {"top_k": 5}}}
    )
    detail = "/api/v1/model-registry/{id}/reconcile/"
    check(detail, "get", api.get(f"{V1}model-registry/{row_id}/reconcile/"))
    applied = api.post(
        f"{V1}model-registry/{row_id}/reconcile/", {"fields": ["version"]}, format="json"
    )
    check(detail, "post", applied)
    check(
        "/api/v1/model-registry/{id}/deactivate/",
        "post",
        api.post(f"{V1}model-registry/{row_id}/deactivate/"),
    )
    broken = make_model("broken", status="error")
    check("/api/v1/model-registry/stale/", "get", api.get(f"{V1}model-registry/stale/"))
    pruned = api.post(f"{V1}model-registry/stale/", {"ids": [broken["id"]]}, format="json")
    check("/api/v1/model-registry/stale/", "post", pruned)
    refused = api.post(
        f"{V1}model-registry/stale/", {"ids": [row_id], "confirm": True}, format="json"
    )
    check("/api/v1/model-registry/stale/", "post", refused)

    exported = api.get(f"{V1}inventory/export/")
    text = b"".join(exported.streaming_content).decode()
    operation = document["paths"]["/api/v1/inventory/export/"]["get"]["responses"]["200"]
    schema = _nullable_as_json_schema(operation["content"]["application/json"]["schema"])
    jsonschema.validate(json.loads(text), {**schema, "components": components})
    imports = "/api/v1/inventory/import/"
    check(imports, "post", api.post(f"{V1}{imports[8:]}", {"text": text}, format="json"))
    bad = json.dumps({"catalog": [{"name": "x", "format": "exe"}]})
    check(imports, "post", api.post(f"{V1}{imports[8:]}", {"text": bad}, format="json"))
    check(
        imports,
        "post",
        api.post(f"{V1}{imports[8:]}", {"text": bad, "apply": True}, format="json"),
    )
