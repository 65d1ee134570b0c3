"""Bind a catalog model to an engine, and deactivate, through the SDK and the command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel
from inventory.workflows.binding import binding_name


@pytest.fixture
def gguf(sdk) -> dict:
    return sdk.models.available_model_registry.create(
        {
            "name": "bartowski/Llama 3.1:8B",
            "capabilities": "chat",
            "format": "gguf",
            "provider_hint": "ollama",
            "storage_ref": "models/llama-3.1-8b.gguf",
            "remote_url": "https://huggingface.co/bartowski/llama",
            "version": "Q4_K_M",
            "requirements": {"vram_mb": 6200, "ram_mb": 8192},
            "extra_config": {"defaults": {"temperature": 0.7, "top_p": 0.9}, "source": "catalog"},
        }
    )


def test_bind_creates_row_from_catalog(sdk, engine, gguf):
    result = sdk.workflows.bind(engine["id"], gguf["id"])
    row = result["row"]
    assert result["created"] is True
    assert row["name"] == f"engine_{engine['id']}__bartowski_Llama_3.1_8B"
    assert row["engine_id"] == engine["id"]
    assert row["available_model_id"] == gguf["id"]
    assert row["model_path"] == "models/llama-3.1-8b.gguf"
    assert row["remote_url"] == "https://huggingface.co/bartowski/llama"
    assert row["version"] == "Q4_K_M"
    assert row["capabilities"] == "chat"
    assert row["is_downloaded"] == 1
    assert (row["vram_required_mb"], row["ram_required_mb"]) == (6200, 8192)
    assert row["status"] == "active"
    assert row["extra_config"] == gguf["extra_config"]


def test_binding_twice_leaves_one_row_updated(sdk, engine, gguf):
    first = sdk.workflows.bind(
        engine["id"], gguf["id"], {"defaults": {"max_tokens": 256}, "source": "mine"}
    )["row"]
    sdk.models.model_registry.update(first["id"], {"status": "disabled"})
    sdk.models.available_model_registry.update(gguf["id"], {"version": "Q8_0"})
    second = sdk.workflows.bind(engine["id"], gguf["id"], {"defaults": {"temperature": 0.2}})
    assert second["created"] is False
    assert second["row"]["id"] == first["id"]
    assert RegisteredModel.objects.count() == 1
    row = second["row"]
    assert row["version"] == "Q8_0"
    assert row["status"] == "active"
    # catalog defaults < existing row < values given now
    assert row["extra_config"] == {
        "defaults": {"temperature": 0.2, "top_p": 0.9, "max_tokens": 256},
        "source": "mine",
    }


def test_remote_catalog_model_uses_remote_url_and_is_not_downloaded(sdk, engine):
    remote = sdk.models.available_model_registry.create(
        {"name": "llama3.1:8b", "capabilities": "chat", "remote_url": "ollama://llama3.1:8b"}
    )
    row = sdk.workflows.bind(engine["id"], remote["id"])["row"]
    assert row["model_path"] == "ollama://llama3.1:8b"
    assert row["is_downloaded"] == 0
    assert (row["vram_required_mb"], row["ram_required_mb"]) == (0, 0)


def test_incompatible_provider_hint_is_refused(sdk, other_engine, gguf):
    with pytest.raises(RegistryValidationError) as caught:
        sdk.workflows.bind(other_engine["id"], gguf["id"])
    message = str(caught.value)
    assert "cannot be bound to engine 'vllm-test'" in message
    assert "provider is 'vllm'" in message
    assert "provider_hint admits ollama" in message
    assert "available_model_id" in caught.value.errors
    assert not RegisteredModel.objects.exists()


def test_compatible_engines_list_admits_and_refuses(sdk, engine, other_engine):
    item = sdk.models.available_model_registry.create(
        {"name": "multi", "source_payload": {"compatible_engines": ["vLLM", "llamacpp"]}}
    )
    assert sdk.workflows.bind(other_engine["id"], item["id"])["created"]
    with pytest.raises(RegistryValidationError, match="compatible_engines admits vllm, llamacpp"):
        sdk.workflows.bind(engine["id"], item["id"])


def test_missing_engine_and_catalog_use_core_messages(sdk, engine, gguf):
    with pytest.raises(RegistryValidationError, match="engine_id does not exist"):
        sdk.workflows.bind(999999, gguf["id"])
    with pytest.raises(RegistryValidationError, match="available_model_id does not exist"):
        sdk.workflows.bind(engine["id"], 999999)
    with pytest.raises(RegistryValidationError, match="engine_id must be an integer"):
        sdk.workflows.bind("x", gguf["id"])


def test_bind_validates_merged_config_through_the_model(sdk, engine, gguf):
    with pytest.raises(RegistryValidationError) as caught:
        sdk.workflows.bind(engine["id"], gguf["id"], {"defaults": {"temperature": 9}})
    assert "extra_config" in caught.value.errors
    assert not RegisteredModel.objects.exists()


def test_deactivate_keeps_the_row(sdk, engine, gguf):
    row = sdk.workflows.bind(engine["id"], gguf["id"])["row"]
    assert sdk.workflows.deactivate(row["id"])["status"] == "available"
    assert RegisteredModel.objects.filter(pk=row["id"]).exists()
    assert sdk.workflows.deactivate(999999) is None


def test_long_catalog_names_fit_the_name_column():
    name = binding_name(7, "x" * 400)
    assert len(name) == RegisteredModel._meta.get_field("name").max_length
    assert name != binding_name(7, "x" * 399)


def test_bind_model_command(engine, gguf, capsys):
    call_command("bind_model", str(engine["id"]), str(gguf["id"]))
    assert "Created registered model" in capsys.readouterr().out
    call_command("bind_model", str(engine["id"]), str(gguf["id"]), extra_config='{"a": 1}')
    assert "Updated registered model" in capsys.readouterr().out
    with pytest.raises(CommandError, match="does not exist"):
        call_command("bind_model", "999999", str(gguf["id"]))
