"""Find and prune stale registered rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel


@pytest.fixture
def inventory(sdk, engine, other_engine, make_model) -> dict[str, dict]:
    """``engine`` is active, ``other_engine`` uninstalled."""
    catalog = sdk.models.available_model_registry.create({"name": "gone", "capabilities": "chat"})
    bound = sdk.workflows.bind(engine["id"], catalog["id"])["row"]
    sdk.models.available_model_registry.delete(catalog["id"])
    return {
        "fine": make_model("fine"),
        "manual_unlinked": make_model("manual"),
        "disabled": make_model("disabled", status="disabled"),
        "errored": make_model("errored", status="error"),
        "on_uninstalled": sdk.models.model_registry.create(
            {"name": "orphan", "engine_id": other_engine["id"]}
        ),
        "link_gone": sdk.models.model_registry.view(bound["id"]),
    }


STALE = ("disabled", "errored", "on_uninstalled", "link_gone")


def test_find_lists_stale_rows_with_reasons(sdk, inventory):
    found = sdk.workflows.find_stale()
    by_name = {row["name"]: row for row in found["rows"]}
    assert set(by_name) == {inventory[key]["name"] for key in STALE}
    assert by_name["orphan"]["reasons"] == ["engine 'vllm-test' is uninstalled"]
    assert by_name["disabled"]["reasons"] == ["status is disabled"]
    assert by_name[inventory["link_gone"]["name"]]["reasons"] == [
        "catalog link is gone (the catalog model was deleted)"
    ]
    assert any("Storage on disk is not touched" in note for note in found["notes"])


def test_engine_filter(sdk, inventory, other_engine):
    rows = sdk.workflows.find_stale(other_engine["id"])["rows"]
    assert [row["name"] for row in rows] == ["orphan"]


def test_dry_run_deletes_nothing(sdk, inventory):
    ids = [row["id"] for row in sdk.workflows.find_stale()["rows"]]
    before = RegisteredModel.objects.count()
    result = sdk.workflows.prune_stale(ids)
    assert result["confirmed"] is False
    assert result["deleted"] == []
    assert sorted(row["id"] for row in result["would_delete"]) == sorted(ids)
    assert RegisteredModel.objects.count() == before


def test_confirmed_deletes_exactly_the_listed_rows(sdk, inventory):
    listed = sorted(row["id"] for row in sdk.workflows.find_stale()["rows"])
    # A row that becomes stale after the listing is not deleted with it.
    sdk.models.model_registry.update(inventory["fine"]["id"], {"status": "error"})
    result = sdk.workflows.prune_stale(listed, confirm=True)
    assert sorted(row["id"] for row in result["deleted"]) == listed
    remaining = set(RegisteredModel.objects.values_list("name", flat=True))
    assert remaining == {"fine", "manual"}


def test_row_no_longer_stale_refuses_the_batch(sdk, inventory):
    listed = [row["id"] for row in sdk.workflows.find_stale()["rows"]]
    sdk.models.model_registry.update(inventory["disabled"]["id"], {"status": "available"})
    with pytest.raises(RegistryValidationError, match=r"'disabled' .* is no longer stale"):
        sdk.workflows.prune_stale(listed, confirm=True)
    assert RegisteredModel.objects.count() == len(inventory)


def test_knowledge_model_is_never_pruned(sdk, make_model):
    model = make_model(
        "embedder", capabilities="embedding", extra_config={"dim": 768}, status="available"
    )
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": model["id"]})
    RegisteredModel.objects.filter(pk=model["id"]).update(status="disabled")
    found = sdk.workflows.find_stale()
    assert found["rows"] == []
    assert [item["name"] for item in found["kept"]] == ["embedder"]
    with pytest.raises(RegistryValidationError, match="knowledge embedding model"):
        sdk.workflows.prune_stale([model["id"]], confirm=True)
    assert RegisteredModel.objects.filter(pk=model["id"]).exists()


def test_command_dry_run_and_yes(sdk, inventory, capsys):
    call_command("prune_stale_models")
    out = capsys.readouterr().out
    assert "4 stale registered model(s)" in out
    assert "Storage on disk is not touched" in out
    assert "knowledge embedding model is never pruned" in out
    assert "Dry run: nothing deleted" in out
    assert RegisteredModel.objects.count() == len(inventory)
    call_command("prune_stale_models", yes=True)
    assert "Deleted 4 registered model row(s)" in capsys.readouterr().out
    assert RegisteredModel.objects.count() == 2


def test_command_names_the_kept_knowledge_model(sdk, make_model, capsys):
    model = make_model("embedder", capabilities="embedding", extra_config={"dim": 8})
    sdk.knowledge.update_config({"embedding_model_id": model["id"]})
    RegisteredModel.objects.filter(pk=model["id"]).update(status="error")
    call_command("prune_stale_models", yes=True)
    out = capsys.readouterr().out
    assert "Kept 'embedder'" in out and "knowledge embedding model" in out
    assert RegisteredModel.objects.filter(pk=model["id"]).exists()
