"""Every door leaves a change record naming its actor, with before and after values."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.models import ChangeRecord, KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db


def last(**filters) -> ChangeRecord:
    return ChangeRecord.objects.filter(**filters).latest("id")


def quiet(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


# --- API and HTTP client ---------------------------------------------------------------------


def test_api_patch_is_recorded_under_the_token_name(api, engine):
    response = api.patch(
        f"/api/v1/engine-registry/{engine['id']}/", {"provider": "vllm"}, format="json"
    )
    assert response.status_code == 200
    record = last(entity="engine_registry")
    assert (record.actor, record.source, record.action) == ("tests", "api", "update")
    assert record.operation.hex == response["X-Request-ID"]  # find a request's changes
    assert record.field_changes == {"provider": {"before": "ollama", "after": "vllm"}}
    history = api.get(f"/api/v1/engine-registry/{engine['id']}/history/").json()["changes"]
    assert [item["action"] for item in history] == ["update", "create"]


def test_api_feed_restore_and_permissions(api, client_for, reader, engine, sdk):
    sdk.models.engine_registry.update(engine["id"], {"provider": "vllm"})
    feed = api.get("/api/v1/changes/", {"after": 0, "limit": 1}).json()
    assert feed["has_more"] and len(feed["changes"]) == 1
    rest = api.get("/api/v1/changes/", {"after": feed["cursor"]}).json()
    assert [item["action"] for item in rest["changes"]] == ["update"]
    assert api.get("/api/v1/changes/", {"bogus": 1}).status_code == 400
    first = feed["changes"][0]["id"]
    assert client_for(reader).post(f"/api/v1/changes/{first}/restore/").status_code == 403
    restored = api.post(f"/api/v1/changes/{first}/restore/", {}, format="json").json()
    assert restored["action"] == "restored" and restored["row"]["provider"] == "ollama"
    assert last().restored_from == first and last().actor == "tests"


def test_http_client_update_history_feed_and_restore(http_client, engine, sdk):
    models = http_client.models.engine_registry
    models.update(engine["id"], {"status": "active", "provider": "vllm"})
    record = last(entity="engine_registry")
    assert (record.actor, record.source) == ("tests", "api")
    assert record.field_changes["provider"] == {"before": "ollama", "after": "vllm"}
    history = models.history(engine["id"])
    assert history[0]["changes"]["provider"]["after"] == "vllm"
    feed = http_client.changes.since(None)
    assert feed == sdk.changes.since(None)  # one contract
    assert history == sdk.models.engine_registry.history(engine["id"])
    assert models.history(engine["id"], limit=1) == history[:1]
    with pytest.raises(http_client.ValidationError, match=r"limit must be 1\.\.1000"):
        models.history(engine["id"], limit=0)
    assert feed["cursor"] == history[0]["id"]
    assert http_client.changes.since(feed["cursor"])["changes"] == []
    result = http_client.changes.restore(history[-1]["id"], fields=["provider"])
    assert result["row"]["provider"] == "ollama" and result["row"]["status"] == "active"
    with pytest.raises(http_client.ValidationError, match="change 999999 does not exist"):
        http_client.changes.restore(999999)


# --- admin ---------------------------------------------------------------------------------


def test_admin_change_form_and_history_page(admin_client, engine):
    response = admin_client.post(
        f"/admin/inventory/engine/{engine['id']}/change/",
        {"name": "ollama-test", "provider": "llamacpp", "status": "active", "config": "{}"},
    )
    assert response.status_code == 302, response.content
    record = last(entity="engine_registry")
    assert (record.actor, record.source) == ("admin", "admin")
    assert record.field_changes == {"provider": {"before": "ollama", "after": "llamacpp"}}
    page = admin_client.get(f"/admin/inventory/engine/{engine['id']}/history/").content.decode()
    assert "llamacpp" in page and "Restore this version" in page
    first = ChangeRecord.objects.filter(entity="engine_registry").earliest("id")
    admin_client.post(f"/admin/inventory/changerecord/{first.pk}/restore/")
    assert last().restored_from == first.pk
    assert RegisteredModel.objects.count() == 0


def test_admin_action_is_recorded_per_row_in_one_operation(admin_client, make_model):
    ids = [make_model(f"m{index}")["id"] for index in range(3)]
    response = admin_client.post(
        "/admin/inventory/registeredmodel/",
        {"action": "mark_downloaded", "_selected_action": [str(pk) for pk in ids]},
    )
    assert response.status_code == 302
    records = list(ChangeRecord.objects.filter(entity="model_registry", action="update"))
    assert len(records) == 3 and len({record.operation for record in records}) == 1
    assert {record.actor for record in records} == {"admin"}
    assert records[0].field_changes == {"is_downloaded": {"before": False, "after": True}}


def test_admin_delete_selected_records_each_row(admin_client, make_model):
    ids = [make_model(f"m{index}")["id"] for index in range(2)]
    admin_client.post(
        "/admin/inventory/registeredmodel/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [str(pk) for pk in ids]},
    )
    deleted = ChangeRecord.objects.filter(action="delete").order_by("object_id")
    assert [record.object_id for record in deleted] == ids
    assert {record.actor for record in deleted} == {"admin"}


def test_admin_restore_action_undeletes(admin_client, sdk, make_model):
    model = make_model("gone")
    sdk.models.model_registry.delete(model["id"])
    deleted = last(action="delete")
    admin_client.post(
        "/admin/inventory/changerecord/",
        {"action": "restore_versions", "_selected_action": [str(deleted.pk)]},
    )
    assert RegisteredModel.objects.get(pk=model["id"]).name == "gone"
    assert last().restored_from == deleted.pk


# --- workflows and commands ----------------------------------------------------------------


def test_bind_is_recorded(sdk, engine, catalog_model):
    sdk.workflows.bind(engine["id"], catalog_model["id"])
    record = last(entity="model_registry")
    assert (record.actor, record.action) == ("shell", "create")
    assert record.field_changes["available_model_id"] == {
        "before": None,
        "after": catalog_model["id"],
    }


def test_reconcile_command_apply_is_recorded(sdk, engine, catalog_model):
    bound = sdk.workflows.bind(engine["id"], catalog_model["id"])["row"]
    sdk.models.available_model_registry.update(catalog_model["id"], {"version": "2"})
    quiet("reconcile_models", "--apply")
    record = last(entity="model_registry")
    assert (record.actor, record.object_id) == ("manage.py reconcile_models", bound["id"])
    assert record.field_changes["version"] == {"before": "", "after": "2"}


def test_deactivate_and_prune_stale_command(sdk, engine, catalog_model):
    bound = sdk.workflows.bind(engine["id"], catalog_model["id"])["row"]
    sdk.workflows.deactivate(bound["id"])
    assert last().field_changes["status"] == {"before": "active", "after": "available"}
    sdk.models.model_registry.update(bound["id"], {"status": "error"})
    quiet("prune_stale_models", "--yes")
    record = last()
    assert (record.action, record.actor, record.object_id) == (
        "delete",
        "manage.py prune_stale_models",
        bound["id"],
    )
    assert record.snapshot["status"] == "error"


def test_import_command_apply_is_one_operation(tmp_path, engine):
    document = {
        "engines": [{"name": "ollama-test", "provider": "vllm"}],
        "catalog": [{"name": f"cat-{index}", "capabilities": ["chat"]} for index in range(3)],
    }
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(document))
    quiet("import_inventory", str(path), "--apply")
    records = list(ChangeRecord.objects.filter(actor="manage.py import_inventory"))
    assert len(records) == 4 and len({record.operation for record in records}) == 1
    update = next(record for record in records if record.action == "update")
    assert update.field_changes == {"provider": {"before": "ollama", "after": "vllm"}}
    assert {record.action for record in records} == {"create", "update"}


def test_load_demo_is_recorded_as_its_command():
    quiet("load_demo")
    actors = set(ChangeRecord.objects.values_list("actor", flat=True))
    assert actors == {"manage.py load_demo"}


def test_knowledge_update_is_recorded(sdk, make_model):
    model = make_model("embed", capabilities=["embedding"], extra_config={"dim": 8})
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": model["id"]})
    record = last(entity="knowledge")
    assert record.field_changes["enabled"] == {"before": False, "after": True}
    assert record.field_changes["embedding_model_id"] == {"before": None, "after": model["id"]}
    assert sdk.knowledge.history()[0]["id"] == record.pk
    assert record.object_id == KnowledgeSettings.SINGLETON_ID


def test_prune_history_dry_run_then_delete():
    old = ChangeRecord.objects.create(
        entity="engine_registry",
        object_id=1,
        action="create",
        actor="x",
        source="shell",
        operation="00000000-0000-0000-0000-000000000001",
        time=timezone.now() - datetime.timedelta(days=40),
    )
    assert "1 change record(s) older" in quiet("prune_history", "--older-than", "30")
    assert ChangeRecord.objects.filter(pk=old.pk).exists()
    assert "Deleted 1" in quiet("prune_history", "--older-than", "30", "--yes")
    assert not ChangeRecord.objects.filter(pk=old.pk).exists()
    with pytest.raises(Exception, match="older_than"):
        quiet("prune_history", "--older-than", "soon")
