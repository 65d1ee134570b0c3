"""Restores go through the rules and are recorded; imports record in one operation or not at
all; history costs a single-row write at most two queries."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.history import recording
from inventory.models import ChangeRecord, RegisteredModel
from inventory.workflows import transfer

pytestmark = pytest.mark.django_db


def test_restoring_a_version_that_breaks_a_rule_today_is_refused(sdk, make_model):
    model = make_model("embed", capabilities=["embedding"], extra_config={"dim": 768})
    version = ChangeRecord.objects.get(object_id=model["id"], entity="model_registry")
    sdk.models.model_registry.update(model["id"], {"capabilities": ["chat"], "extra_config": {}})
    with pytest.raises(sdk.ValidationError) as direct:
        sdk.models.model_registry.update(model["id"], {"extra_config": {"dim": 768}})
    before = ChangeRecord.objects.count()
    with pytest.raises(sdk.ValidationError) as refused:
        sdk.changes.restore(version.pk, fields=["extra_config"])
    assert refused.value.errors == direct.value.errors  # the rule's own message
    assert "extra_config" in refused.value.errors
    assert RegisteredModel.objects.get(pk=model["id"]).extra_config == {}
    assert ChangeRecord.objects.count() == before


def test_restoring_onto_a_deleted_engine_is_refused(sdk, engine, other_engine, make_model):
    model = make_model("m")
    version = ChangeRecord.objects.get(object_id=model["id"], entity="model_registry")
    sdk.models.model_registry.update(model["id"], {"engine_id": other_engine["id"]})
    sdk.models.engine_registry.delete(engine["id"])
    with pytest.raises(sdk.ValidationError, match="engine_id does not exist"):
        sdk.changes.restore(version.pk)


def test_full_restore_and_undelete_with_the_old_id(sdk, make_model):
    model = make_model("m", status="available", model_path="a.gguf")
    first = ChangeRecord.objects.get(object_id=model["id"], entity="model_registry")
    sdk.models.model_registry.update(model["id"], {"status": "active", "model_path": "b.gguf"})
    restored = sdk.changes.restore(first.pk)
    assert restored["action"] == "restored"
    assert (restored["row"]["status"], restored["row"]["model_path"]) == ("available", "a.gguf")
    sdk.models.model_registry.delete(model["id"])
    deleted = ChangeRecord.objects.filter(action="delete").latest("id")
    undeleted = sdk.changes.restore(deleted.pk)
    assert (undeleted["action"], undeleted["id"]) == ("undeleted", model["id"])
    history = sdk.models.model_registry.history(model["id"])
    assert [item["action"] for item in history] == [
        "create",
        "delete",
        "update",
        "update",
        "create",
    ]
    assert history[0]["restored_from"] == deleted.pk and history[2]["restored_from"] == first.pk
    with pytest.raises(sdk.ValidationError, match="restorable fields"):
        sdk.changes.restore(first.pk, fields=["nope"])


def test_restore_keeps_masked_credentials(sdk):
    engine = sdk.models.engine_registry.create(
        {"name": "e", "provider": "openai", "config": {"api_key": "sk-1", "url": "u1"}}
    )
    version = ChangeRecord.objects.get(object_id=engine["id"], entity="engine_registry")
    sdk.models.engine_registry.update(engine["id"], {"config": {"api_key": "sk-2", "url": "u2"}})
    row = sdk.changes.restore(version.pk)["row"]
    assert row["config"] == {"api_key": "********", "url": "u1"}
    clear = sdk.models.engine_registry.view_secrets(engine["id"])
    assert clear["config"] == {"api_key": "sk-2", "url": "u1"}


def catalog(rows: int, family: str = "f") -> str:
    return json.dumps(
        {
            "catalog": [
                {"name": f"m-{i:05d}", "family": family, "capabilities": ["chat"]}
                for i in range(rows)
            ]
        }
    )


def test_a_refused_or_dry_run_import_writes_no_change_record(sdk):
    transfer.import_inventory(catalog(20), "json", apply=False)
    document = json.loads(catalog(20))
    document["catalog"][7]["capabilities"] = ["no-such-capability"]
    with pytest.raises(transfer.InventoryImportError):
        transfer.import_inventory(json.dumps(document), "json", apply=True)
    assert not ChangeRecord.objects.exists()


def test_an_applied_10000_row_import_is_one_operation():
    transfer.import_inventory(catalog(10_000), "json", apply=True)
    assert ChangeRecord.objects.filter(action="create").count() == 10_000
    assert ChangeRecord.objects.values("operation").distinct().count() == 1
    transfer.import_inventory(catalog(10_000, family="g"), "json", apply=True)
    updates = ChangeRecord.objects.filter(action="update")
    assert updates.count() == 10_000
    assert updates.values("operation").distinct().count() == 1
    assert updates.first().changes == {"family": {"before": "f", "after": "g"}}


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.parametrize("door", ["create", "update", "delete"])
def test_a_single_row_write_adds_at_most_two_queries(sdk, engine, door):
    rows = sdk.models.engine_registry

    def write(suffix: str):
        if door == "create":
            return lambda: rows.create({"name": f"new-{suffix}", "provider": "ollama"})
        if door == "update":
            provider = {"a": "vllm", "b": "tei"}[suffix]
            return lambda: rows.update(engine["id"], {"provider": provider})
        target = rows.create({"name": f"gone-{suffix}", "provider": "ollama"})["id"]
        return lambda: rows.delete(target)

    with recording.suspended():
        without = queries(write("a"))
    with_history = queries(write("b"))
    assert with_history - without <= 2
    assert with_history > without  # the record is written


@pytest.mark.parametrize("fields", [5, {"name": 1}, [1], [None], "nope"])
def test_restore_refuses_malformed_fields_by_name(api, engine, fields):
    record = ChangeRecord.objects.get(entity="engine_registry")
    response = api.post(f"/api/v1/changes/{record.pk}/restore/", {"fields": fields}, format="json")
    assert response.status_code == 400
    assert "fields" in response.json()["errors"]


def test_restore_parses_its_confirmation_as_every_write_does(sdk, engine):
    record = ChangeRecord.objects.get(entity="engine_registry")
    with pytest.raises(sdk.ValidationError) as refused:
        sdk.changes.restore(record.pk, confirm_embedding_model_change="maybe")
    assert "confirm_embedding_model_change" in refused.value.errors


def test_restore_takes_the_write_confirmations_and_nothing_else(api, sdk, engine):
    record = ChangeRecord.objects.get(entity="engine_registry")
    url = f"/api/v1/changes/{record.pk}/restore/"
    for body in ({"change_id": 1}, {"bogus": True}):
        response = api.post(url, body, format="json")
        assert response.status_code == 400 and set(response.json()["errors"]) == set(body)
    ok = api.post(url, {"allow_over_capacity": True}, format="json")
    assert ok.status_code == 200, ok.content
    with pytest.raises(sdk.ValidationError, match="unknown option 'bogus'"):
        sdk.changes.restore(record.pk, bogus=True)


def test_restoring_beyond_an_engines_capacity_needs_the_override(sdk):
    engine = sdk.models.engine_registry.create(
        {"name": "gpu", "provider": "vllm", "vram_total_mb": 1000}
    )
    first = sdk.models.model_registry.create(
        {"name": "a", "engine_id": engine["id"], "status": "active", "vram_required_mb": 600}
    )
    version = ChangeRecord.objects.get(entity="model_registry", object_id=first["id"])
    sdk.models.model_registry.update(first["id"], {"vram_required_mb": 100})
    sdk.models.model_registry.create(
        {"name": "b", "engine_id": engine["id"], "status": "active", "vram_required_mb": 800}
    )
    with pytest.raises(sdk.ValidationError) as refused:
        sdk.changes.restore(version.pk)
    assert "allow_over_capacity" in str(refused.value.errors)
    row = sdk.changes.restore(version.pk, allow_over_capacity=True)["row"]
    assert row["vram_required_mb"] == 600
