"""Reconcile a registered row against its catalog row: diff, apply, command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from inventory.errors import RegistryValidationError


@pytest.fixture
def bound(sdk, engine) -> tuple[dict, dict]:
    catalog = sdk.models.available_model_registry.create(
        {
            "name": "qwen2.5:7b",
            "capabilities": "chat",
            "remote_url": "ollama://qwen2.5:7b",
            "version": "7b",
            "requirements": {"vram_mb": 5200, "ram_mb": 8192},
            "extra_config": {"defaults": {"temperature": 0.7}},
        }
    )
    row = sdk.workflows.bind(engine["id"], catalog["id"])["row"]
    return catalog, row


def test_in_sync_after_binding(sdk, bound):
    _, row = bound
    result = sdk.workflows.reconcile(row["id"])
    assert result["in_sync"] is True
    assert result["differences"] == []


def test_diff_lists_each_drifted_field(sdk, bound):
    catalog, row = bound
    sdk.models.available_model_registry.update(
        catalog["id"],
        {
            "version": "7b-q8",
            "capabilities": "chat,tool_calling",
            "storage_ref": "models/qwen.gguf",
            "requirements": {"vram_mb": 9000, "ram_mb": 8192},
            "extra_config": {"defaults": {"temperature": 0.5}},
        },
    )
    result = sdk.workflows.reconcile(row["id"])
    diff = {item["field"]: (item["registered"], item["catalog"]) for item in result["differences"]}
    assert diff == {
        "version": ("7b", "7b-q8"),
        "capabilities": ("chat", "chat,tool_calling"),
        "model_path": ("ollama://qwen2.5:7b", "models/qwen.gguf"),
        "vram_required_mb": (5200, 9000),
        "extra_config.defaults": ({"temperature": 0.7}, {"temperature": 0.5}),
    }
    assert result["in_sync"] is False
    assert sdk.models.model_registry.view(row["id"])["version"] == "7b"  # nothing written


def test_apply_chosen_fields_then_all(sdk, bound):
    catalog, row = bound
    sdk.models.available_model_registry.update(
        catalog["id"], {"version": "v2", "remote_url": "ollama://qwen2.5:7b-v2"}
    )
    result = sdk.workflows.apply_reconcile(row["id"], ["version"])
    assert result["applied"] == ["version"]
    assert result["row"]["version"] == "v2"
    assert [item["field"] for item in result["reconcile"]["differences"]] == [
        "remote_url",
        "model_path",
    ]
    result = sdk.workflows.apply_reconcile(row["id"])
    assert result["reconcile"]["in_sync"] is True
    assert result["row"]["model_path"] == "ollama://qwen2.5:7b-v2"


def test_apply_unknown_field_and_unlinked_row_are_refused(sdk, bound, make_model):
    _, row = bound
    with pytest.raises(RegistryValidationError, match="no difference to apply for 'version'"):
        sdk.workflows.apply_reconcile(row["id"], ["version"])
    lone = make_model("lone")
    with pytest.raises(RegistryValidationError, match="not linked to a catalog model"):
        sdk.workflows.reconcile(lone["id"])


def test_apply_goes_through_model_validation(sdk, bound):
    catalog, row = bound
    # The catalog drops chat: its old chat defaults would now be invalid on the registered row.
    sdk.models.available_model_registry.update(
        catalog["id"], {"capabilities": "embedding", "extra_config": {}}
    )
    with pytest.raises(RegistryValidationError) as caught:
        sdk.workflows.apply_reconcile(row["id"], ["capabilities"])
    assert "extra_config" in caught.value.errors
    assert sdk.models.model_registry.view(row["id"])["capabilities"] == "chat"


def test_command_dry_run_then_apply(sdk, bound, capsys):
    catalog, row = bound
    sdk.models.available_model_registry.update(catalog["id"], {"version": "v9"})
    call_command("reconcile_models")
    out = capsys.readouterr().out
    assert "1 differ from the catalog" in out
    assert "version" in out and "v9" in out
    assert "Dry run" in out
    assert sdk.models.model_registry.view(row["id"])["version"] == "7b"
    call_command("reconcile_models", engine=str(row["engine_id"]), apply=True)
    assert "Applied 1 difference" in capsys.readouterr().out
    assert sdk.models.model_registry.view(row["id"])["version"] == "v9"
    with pytest.raises(CommandError, match="engine_id must be an integer"):
        call_command("reconcile_models", engine="x")
