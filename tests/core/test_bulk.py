"""Bulk operations through the SDK: selection, per-row validation, one transaction, reports."""

from __future__ import annotations

import pytest

from inventory.bulk import BulkRefusedError
from inventory.errors import RegistryValidationError
from inventory.models import Engine, KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def models(sdk):
    return sdk.models.model_registry


def test_move_by_filter_changes_every_matching_row(models, make_model, engine, other_engine):
    make_model("a")
    make_model("b")
    kept = models.create({"name": "c", "engine_id": other_engine["id"]})
    report = models.select(filters={"engine_id": engine["id"]}).move_to_engine(other_engine["id"])
    assert report["applied"] is True
    assert (report["matched"], report["changed"], report["refused"]) == (2, 2, 0)
    assert {item["name"]: item["changes"] for item in report["items"]} == {
        "a": {"engine_id": [engine["id"], other_engine["id"]]},
        "b": {"engine_id": [engine["id"], other_engine["id"]]},
    }
    assert models.count({"engine_id": other_engine["id"]}) == 3
    assert models.view(kept["id"])["updated_at"] == kept["updated_at"]


def test_update_by_ids_sets_fields_and_adds_and_removes_capabilities(models, make_model):
    a = make_model("a", capabilities="chat,embedding", extra_config={"dim": 8})
    b = make_model("b", capabilities="embedding", extra_config={"dim": 8})
    report = models.select(ids=[a["id"], b["id"]]).update(
        {"status": "disabled", "add_capabilities": ["tool-calling"], "remove_capabilities": "chat"}
    )
    assert report["changed"] == 2
    assert models.view(a["id"])["capabilities"] == "embedding,tool_calling"
    assert models.view(b["id"])["status"] == "disabled"


def test_dry_run_reports_and_writes_nothing(models, make_model):
    a = make_model("a")
    report = models.select(ids=[a["id"]]).update({"status": "disabled"}, dry_run=True)
    assert report["dry_run"] is True and report["applied"] is False
    assert report["items"][0]["changes"] == {"status": ["available", "disabled"]}
    assert models.view(a["id"])["status"] == "available"


def test_one_refused_row_refuses_all_with_the_rules_message_by_id(models, make_model):
    good = make_model("good", capabilities="chat")
    bad = make_model("bad", capabilities="embedding", extra_config={"dim": 8})
    with pytest.raises(BulkRefusedError) as caught:
        models.select(ids=[good["id"], bad["id"]]).update({"remove_capabilities": "embedding"})
    error = caught.value
    assert list(error.errors) == [f"{bad['id']}.extra_config"]
    assert "dim" in str(error)
    refused = [item for item in error.report["items"] if item["result"] == "refused"]
    assert [item["id"] for item in refused] == [bad["id"]]
    assert models.view(good["id"])["capabilities"] == "chat"
    assert models.view(bad["id"])["capabilities"] == "embedding"


def test_an_unknown_capability_is_refused_before_any_row(models, make_model):
    a = make_model("a")
    with pytest.raises(RegistryValidationError) as caught:
        models.select(ids=[a["id"]]).update({"add_capabilities": "telepathy"})
    assert "add_capabilities" in caught.value.errors


@pytest.mark.parametrize(
    "selection",
    [{}, {"ids": []}, {"filters": {}}, {"filters": {"name": ""}}, {"ids": None, "filters": None}],
)
def test_no_selection_is_refused_never_all(models, make_model, selection):
    make_model("a")
    with pytest.raises(RegistryValidationError) as caught:
        models.bulk("update", changes={"status": "disabled"}, **selection)
    assert "never applies to every row" in caught.value.errors["selection"][0]
    assert models.count({"status": "disabled"}) == 0


def test_a_filter_matching_nothing_changes_nothing(models, make_model):
    make_model("a")
    report = models.select(filters={"name": "nothing-like-this"}).update({"status": "disabled"})
    assert (report["matched"], report["changed"], report["applied"]) == (0, 0, True)
    assert models.count({"status": "disabled"}) == 0


def test_unknown_or_unique_fields_are_refused(models, make_model):
    a = make_model("a")
    for changes, key in (
        ({"name": "x"}, "name"),
        ({"colour": "red"}, "colour"),
        ({"extra_config": {}}, "extra_config"),
        ({"add_status": "x"}, "add_status"),
    ):
        with pytest.raises(RegistryValidationError) as caught:
            models.select(ids=[a["id"]]).update(changes)
        assert key in caught.value.errors


def test_moving_to_a_missing_engine_is_refused(models, make_model):
    a = make_model("a")
    with pytest.raises(RegistryValidationError, match="engine_id does not exist"):
        models.select(ids=[a["id"]]).move_to_engine(99999)


def test_deactivate_only_touches_active_rows(models, make_model):
    a = make_model("a", status="active")
    b = make_model("b", status="disabled")
    report = models.select(ids=[a["id"], b["id"]]).deactivate()
    assert (report["changed"], report["unchanged"]) == (1, 1)
    assert models.view(a["id"])["status"] == "available"
    assert models.view(b["id"])["status"] == "disabled"


def test_bulk_delete_refuses_the_knowledge_model_and_deletes_nothing(models, make_model):
    plain = make_model("plain")
    embed = make_model("embed", capabilities="embedding", extra_config={"dim": 8})
    KnowledgeSettings.objects.create(enabled=True, embedding_model_id=embed["id"])
    with pytest.raises(BulkRefusedError) as caught:
        models.select(ids=[plain["id"], embed["id"]]).delete()
    assert "knowledge embedding model" in str(caught.value)
    assert models.count({"id": [plain["id"], embed["id"]]}) == 2
    assert models.select(ids=[plain["id"]]).delete()["deleted"] == 1
    assert models.view(plain["id"]) is None


def test_bulk_delete_of_engines_with_models_is_refused_per_engine(
    sdk, engine, other_engine, make_model
):
    make_model("a")
    with pytest.raises(BulkRefusedError) as caught:
        sdk.models.engine_registry.select(ids=[engine["id"], other_engine["id"]]).delete()
    assert list(caught.value.errors) == [str(engine["id"])]
    assert "still has 1 registered model" in str(caught.value)
    assert Engine.objects.count() == 2


def test_bulk_delete_of_catalog_rows_unlinks_their_registered_rows(sdk, catalog_model, make_model):
    bound = make_model("bound", available_model_id=catalog_model["id"])
    catalog = sdk.models.available_model_registry
    dry = catalog.select(ids=[catalog_model["id"]]).delete(dry_run=True)
    assert dry["items"][0]["unlinked"] == 1 and catalog.view(catalog_model["id"])
    catalog.select(ids=[catalog_model["id"]]).delete()
    assert sdk.models.model_registry.view(bound["id"])["available_model_id"] is None


def test_catalog_tags_are_added_and_removed(sdk):
    catalog = sdk.models.available_model_registry
    row = catalog.create({"name": "m", "tags": "a,b"})
    catalog.select(ids=[row["id"]]).update({"add_tags": ["c"], "remove_tags": "a"})
    assert catalog.view(row["id"])["tags"] == "b,c"


def test_embedding_model_status_change_needs_confirmation_in_bulk(models, make_model):
    embed = make_model("embed", capabilities="embedding", extra_config={"dim": 8}, status="active")
    KnowledgeSettings.objects.create(enabled=True, embedding_model_id=embed["id"])
    with pytest.raises(BulkRefusedError, match="confirm_embedding_model_change"):
        models.select(ids=[embed["id"]]).deactivate()
    models.select(ids=[embed["id"]]).deactivate(confirm_embedding_model_change=True)
    assert RegisteredModel.objects.get(pk=embed["id"]).status == "available"


def test_bulk_changes_are_recorded_per_row_under_one_operation(models, make_model, other_engine):
    from inventory.models import ChangeRecord

    a = make_model("a")
    b = make_model("b")
    models.select(ids=[a["id"], b["id"]]).move_to_engine(other_engine["id"])
    records = list(ChangeRecord.objects.filter(action="update").order_by("object_id"))
    assert [record.object_id for record in records] == [a["id"], b["id"]]
    assert records[0].changes["engine_id"]["after"] == other_engine["id"]
    assert len({record.operation for record in records}) == 1
    models.select(ids=[a["id"]]).delete()
    assert ChangeRecord.objects.filter(action="delete", object_id=a["id"]).count() == 1


def test_deactivating_the_knowledge_model_needs_confirmation_in_the_workflow(sdk, make_model):
    embed = make_model("embed", capabilities="embedding", extra_config={"dim": 8}, status="active")
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": embed["id"]})
    with pytest.raises(RegistryValidationError, match="confirm_embedding_model_change"):
        sdk.workflows.deactivate(embed["id"])
    with pytest.raises(RegistryValidationError, match="confirm_embedding_model_change"):
        sdk.models.model_registry.update(embed["id"], {"status": "disabled"})
    row = sdk.workflows.deactivate(embed["id"], confirm_embedding_model_change=True)
    assert row["status"] == "available"
