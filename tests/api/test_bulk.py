"""Bulk operations and delete impact over the REST API and the HTTP client (live server)."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel

pytestmark = pytest.mark.django_db

V1 = "/api/v1/"
BULK = f"{V1}model-registry/bulk/"


def test_bulk_update_by_ids_and_by_filter(api, make_model, engine, other_engine):
    a = make_model("a")
    b = make_model("b")
    response = api.post(BULK, {"ids": [a["id"]], "changes": {"status": "disabled"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["changed"] == 1
    response = api.post(
        BULK,
        {"filters": {"engine_id": engine["id"]}, "changes": {"engine_id": other_engine["id"]}},
        format="json",
    )
    assert response.json()["changed"] == 2
    assert set(RegisteredModel.objects.values_list("engine_id", flat=True)) == {other_engine["id"]}
    assert RegisteredModel.objects.get(pk=b["id"]).status == "available"


def test_dry_run_and_refusal_with_the_report(api, make_model):
    ok = make_model("ok", capabilities="chat")
    bad = make_model("bad", capabilities="embedding", extra_config={"dim": 4})
    body = {"ids": [ok["id"], bad["id"]], "changes": {"remove_capabilities": ["embedding"]}}
    dry = api.post(BULK, {**body, "dry_run": True}, format="json").json()
    assert (dry["dry_run"], dry["applied"], dry["refused"]) == (True, False, 1)
    response = api.post(BULK, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert list(data["errors"]) == [f"{bad['id']}.extra_config"]
    assert data["report"]["items"][1]["result"] == "refused"
    assert RegisteredModel.objects.get(pk=bad["id"]).capabilities == "embedding"


def test_no_selection_is_refused(api, make_model):
    make_model("a")
    response = api.post(BULK, {"changes": {"status": "disabled"}}, format="json")
    assert response.status_code == 400
    assert "selection" in response.json()["errors"]
    assert not RegisteredModel.objects.filter(status="disabled").exists()


def test_bulk_needs_change_and_delete_permissions(client_for, make_user, make_model):
    a = make_model("a")
    viewer = client_for(make_user("viewer", "inventory.view_registeredmodel"))
    response = viewer.post(
        BULK, {"ids": [a["id"]], "changes": {"status": "disabled"}}, format="json"
    )
    assert response.status_code == 403
    editor = client_for(
        make_user("editor", "inventory.view_registeredmodel", "inventory.change_registeredmodel")
    )
    response = editor.post(BULK, {"ids": [a["id"]], "action": "delete"}, format="json")
    assert response.status_code == 403
    assert RegisteredModel.objects.filter(pk=a["id"]).exists()


def test_delete_impact_of_an_engine_with_models(api, engine, make_model):
    make_model("a")
    response = api.get(f"{V1}engine-registry/{engine['id']}/delete-impact/")
    assert response.status_code == 200
    impact = response.json()
    assert impact["allowed"] is False
    assert impact["refused"]["total"] == 1
    assert impact["way_out"]["filters"] == {"engine_id": engine["id"]}
    assert api.get(f"{V1}engine-registry/99999/delete-impact/").status_code == 404


def test_overrides_through_api_writes(api, sdk):
    engine = sdk.models.engine_registry.create(
        {"name": "small", "provider": "ollama", "vram_total_mb": 1000}
    )
    row = sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "vram_required_mb": 2000}
    )
    url = f"{V1}model-registry/{row['id']}/"
    response = api.patch(url, {"status": "active"}, format="json")
    assert response.status_code == 400
    assert "allow_over_capacity" in response.json()["detail"]
    response = api.patch(f"{url}?allow_over_capacity=true", {"status": "active"}, format="json")
    assert response.status_code == 200
    assert response.json()["over_capacity"] is True


def test_client_bulk_select_and_impact(http_client, sdk, make_model, engine, other_engine):
    a = make_model("a")
    make_model("b")
    models = http_client.models.model_registry
    report = models.select(filters={"engine_id": engine["id"]}).move_to_engine(
        other_engine["id"], dry_run=True
    )
    assert (report["matched"], report["applied"]) == (2, False)
    report = models.select(filters={"engine_id": engine["id"]}).move_to_engine(other_engine["id"])
    assert report["changed"] == 2
    with pytest.raises(RegistryValidationError) as caught:
        models.select().update({"status": "disabled"})
    assert "selection" in caught.value.errors
    embed = make_model("embed", capabilities="embedding", extra_config={"dim": 4})
    http_client.knowledge.update_config({"enabled": True, "embedding_model_id": embed["id"]})
    with pytest.raises(RegistryValidationError) as caught:
        models.select(ids=[a["id"], embed["id"]]).delete()
    assert caught.value.report["refused"] == 1
    assert models.view(a["id"]) is not None
    impact = models.delete_impact(embed["id"])
    assert impact["allowed"] is False and impact["way_out"]["action"] == "knowledge"
    assert http_client.models.engine_registry.delete_impact(engine["id"])["refused"]["total"] == 1


def test_client_activation_beyond_capacity_needs_the_override(http_client):
    engines = http_client.models.engine_registry
    engine = engines.create({"name": "tiny", "provider": "ollama", "ram_total_mb": 1024})
    models = http_client.models.model_registry
    row = models.create({"name": "m", "engine_id": engine["id"], "ram_required_mb": 2048})
    with pytest.raises(RegistryValidationError, match="has 1 GB of RAM"):
        models.update(row["id"], {"status": "active"})
    assert (
        models.update(row["id"], {"status": "active"}, allow_over_capacity=True)["status"]
        == "active"
    )
    catalog = http_client.models.available_model_registry.create(
        {"name": "c", "requirements": {"ram_mb": 512}}
    )
    with pytest.raises(RegistryValidationError, match="allow_over_capacity"):
        http_client.workflows.bind(engine["id"], catalog["id"], name="my-row")
    bound = http_client.workflows.bind(
        engine["id"], catalog["id"], name="my-row", allow_over_capacity=True
    )
    assert bound["row"]["name"] == "my-row"


def test_client_deactivate_of_the_knowledge_model_needs_confirmation(http_client, make_model):
    embed = make_model("embed", capabilities="embedding", extra_config={"dim": 4}, status="active")
    http_client.knowledge.update_config({"enabled": True, "embedding_model_id": embed["id"]})
    with pytest.raises(RegistryValidationError, match="confirm_embedding_model_change"):
        http_client.workflows.deactivate(embed["id"])
    row = http_client.workflows.deactivate(embed["id"], confirm_embedding_model_change=True)
    assert row["status"] == "available"


def test_bind_command_takes_a_name_and_the_capacity_override(sdk):
    from django.core.management import CommandError, call_command

    engine = sdk.models.engine_registry.create(
        {"name": "tiny", "provider": "ollama", "vram_total_mb": 100}
    )
    catalog = sdk.models.available_model_registry.create(
        {"name": "c", "requirements": {"vram_mb": 200}}
    )
    with pytest.raises(CommandError, match="allow_over_capacity"):
        call_command("bind_model", str(engine["id"]), str(catalog["id"]))
    call_command(
        "bind_model", str(engine["id"]), str(catalog["id"]), "--allow-over-capacity", "--name", "c1"
    )
    assert RegisteredModel.objects.get().name == "c1"
