"""The workflows give the same answer through the SDK and through ``RegistryClient`` over HTTP,
for hostile arguments too (malformed ids, flags that are not booleans, undecodable files),
and the API never answers a lone surrogate or a deeply nested body with a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from inventory.errors import RegistryProtectedError, RegistryValidationError
from inventory.models import AvailableModel, RegisteredModel
from inventory.sdk import module_sdk

V1 = "/api/v1/"


def outcome(call: Callable[[], Any]) -> tuple:
    try:
        return ("ok", call())
    except RegistryProtectedError as error:
        return ("protected", str(error), error.errors)
    except RegistryValidationError as error:
        return ("invalid", str(error), error.errors)


CASES: dict[str, Callable[[Any, dict], Any]] = {
    "deactivate text id": lambda d, i: d.workflows.deactivate("abc"),
    "deactivate no id": lambda d, i: d.workflows.deactivate(None),
    "deactivate boolean id": lambda d, i: d.workflows.deactivate(True),
    "deactivate float id": lambda d, i: d.workflows.deactivate(1.5),
    "deactivate id with a slash": lambda d, i: d.workflows.deactivate(f"{i['model']}/x"),
    "deactivate missing": lambda d, i: d.workflows.deactivate(987654),
    "reconcile text id": lambda d, i: d.workflows.reconcile("abc"),
    "reconcile missing": lambda d, i: d.workflows.reconcile(987654),
    "reconcile negative": lambda d, i: d.workflows.reconcile(-1),
    "reconcile padded id": lambda d, i: d.workflows.reconcile(f" {i['model']} "),
    "apply reconcile text id": lambda d, i: d.workflows.apply_reconcile("abc"),
    "find stale boolean engine": lambda d, i: d.workflows.find_stale(True),
    "find stale engine list": lambda d, i: d.workflows.find_stale([i["engine"]]),
    "prune csv ids": lambda d, i: d.workflows.prune_stale(f"{i['model']},987654"),
    "prune no ids": lambda d, i: d.workflows.prune_stale(None),
    "prune dict ids": lambda d, i: d.workflows.prune_stale({"a": 1}),
    "prune bad confirmation": lambda d, i: d.workflows.prune_stale([i["stale"]], confirm="maybe"),
    "export without a format": lambda d, i: d.workflows.export_inventory(None),
    "import bad apply flag": lambda d, i: d.workflows.import_inventory(
        "name\nfrom-csv", format="csv", apply="maybe"
    ),
    "import undecodable bytes": lambda d, i: d.workflows.import_inventory(b"\xff\xfe{}"),
    "import lone surrogate": lambda d, i: d.workflows.import_inventory(
        '{"engines": [{"name": "x\\ud800", "provider": "ollama"}]}'
    ),
}


@pytest.mark.django_db(transaction=True)
def test_workflow_doors_agree_on_hostile_arguments(http_client, engine, make_model):
    model = make_model("llama3")
    stale = make_model("broken", status="error")
    ids = {"engine": engine["id"], "model": model["id"], "stale": stale["id"]}
    mismatches = []
    for name, case in CASES.items():
        expected = outcome(lambda case=case: case(module_sdk, ids))
        actual = outcome(lambda case=case: case(http_client, ids))
        if actual != expected:
            mismatches.append(f"{name}:\n  SDK {expected}\n  API {actual}")
    assert not mismatches, "\n".join(mismatches)
    assert RegisteredModel.objects.filter(pk=stale["id"]).exists()
    assert not AvailableModel.objects.filter(name="from-csv").exists()


def test_sdk_flags_are_booleans_not_truthiness(sdk, make_model):
    stale = make_model("broken", status="error")
    with pytest.raises(RegistryValidationError, match="confirm must be a boolean"):
        sdk.workflows.prune_stale([stale["id"]], confirm="maybe")
    assert RegisteredModel.objects.filter(pk=stale["id"]).exists()
    with pytest.raises(RegistryValidationError, match="apply must be a boolean"):
        sdk.workflows.import_inventory("name\nfrom-csv", format="csv", apply="maybe")
    assert not AvailableModel.objects.exists()


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_workflow_paths_refuse_malformed_ids_like_the_sdk(api, make_model):
    response = api.post(f"{V1}model-registry/abc/deactivate/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "id must be an integer, got 'abc'"
    response = api.get(f"{V1}model-registry/987654/reconcile/")
    assert response.status_code == 404
    assert response.json()["detail"] == "registered model 987654 does not exist"
    model = make_model("llama3")
    response = api.post(f"{V1}model-registry/{model['id']}/deactivate/", {"x": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "x": ["unknown field 'x'; known fields: confirm_embedding_model_change"]
    }
    response = api.get(f"{V1}model-registry/{model['id']}/reconcile/?x=1")
    assert response.status_code == 400
    assert response.json()["detail"] == "unknown parameter 'x'; this request takes no parameters"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("model-registry/", '{"name\\ud800": "x", "engine_id": 1}'),
        ("model-registry/", '{"name": "x\\ud800", "engine_id": 1}'),
        ("knowledge/config/", '{"enabled": "\\ud800"}'),
        ("model-registry/", "[" * 50_000 + "]" * 50_000),
        ("inventory/import/", '{"text": "{\\"engines\\": [{\\"name\\": \\"\\ud800\\"}]}"}'),
    ],
)
def test_hostile_bodies_are_a_400_never_a_500(api, engine, path, body):
    method = api.patch if path.startswith("knowledge") else api.post
    response = method(f"{V1}{path}", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not RegisteredModel.objects.exists()
