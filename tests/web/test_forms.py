"""Create, edit and delete pages: the model's validation, its messages, nothing half-saved."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from inventory.models import Engine, KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db


def model_form(engine_id: int, **fields) -> dict:
    data = {
        "name": "new-model",
        "engine": str(engine_id),
        "available_model": "",
        "model_path": "models/new.gguf",
        "vram_required_mb": "0",
        "ram_required_mb": "0",
        "remote_url": "",
        "version": "",
        "capabilities": ["embedding"],
        "extra_config": "{}",
        "status": "available",
    }
    data.update(fields)
    return data


def errors_of(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_create_with_invalid_dim_shows_the_error_and_saves_nothing(admin_client, engine):
    response = admin_client.post(
        "/models/new/", model_form(engine["id"], extra_config='{"dim": "768"}')
    )
    assert response.status_code == 200
    page = errors_of(response)
    assert 'data-error-for="extra_config"' in page
    assert "dim in Extra config must be a whole number of 1 or more, got '768'" in page
    assert "Nothing was saved." in page
    assert not RegisteredModel.objects.filter(name="new-model").exists()


def test_create_saves_and_normalizes_through_the_model(admin_client, engine):
    response = admin_client.post(
        "/models/new/",
        model_form(
            engine["id"],
            capabilities=["embed", "offline", "embedding"],
            extra_config='{"dim": 1024}',
            is_downloaded="on",
        ),
    )
    model = RegisteredModel.objects.get(name="new-model")
    assert response.status_code == 302
    assert response["Location"] == f"/models/{model.pk}/"
    assert model.capabilities == "embedding,offline"
    assert model.extra_config == {"dim": 1024}
    assert model.is_downloaded is True


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "Name and Engine are required"),
        ({"engine": ""}, "engine", "Name and Engine are required"),
        ({"engine": "9999"}, "engine", "Engine does not exist"),
        ({"available_model": "9999"}, "available_model", "Catalog model does not exist"),
        (
            {"vram_required_mb": "-1"},
            "vram_required_mb",
            "VRAM (MB) must be a whole number of 0 or more<",
        ),
        (
            {"vram_required_mb": "1.5"},
            "vram_required_mb",
            "VRAM (MB) must be a whole number<",
        ),
        ({"capabilities": ["chat", "telepathy"]}, "capabilities", "unknown capability"),
        ({"status": "sleeping"}, "status", "'sleeping' is not a valid status; choose one of"),
        ({"extra_config": "{not json"}, "extra_config", "Enter a valid JSON."),
        (
            {"capabilities": ["embedding"], "extra_config": '{"defaults": {"temperature": 1}}'},
            "extra_config",
            "only allowed on models with the chat or reasoning capability",
        ),
    ],
)
def test_field_errors_come_from_the_core(admin_client, engine, fields, field, message):
    response = admin_client.post("/models/new/", model_form(engine["id"], **fields))
    page = errors_of(response)
    assert f'data-error-for="{field}"' in page
    assert message in page
    assert not RegisteredModel.objects.exists()


def test_duplicate_name_uses_the_core_message(admin_client, engine, make_model):
    make_model("taken")
    response = admin_client.post("/models/new/", model_form(engine["id"], name="taken"))
    assert "model name already in use" in errors_of(response)
    assert RegisteredModel.objects.filter(name="taken").count() == 1


def test_race_caught_by_the_database_reads_like_validation(admin_client, engine, monkeypatch):
    """Another writer takes the name between the form's validation and the save."""
    from inventory import services

    real = services.save_validated

    def racing(instance):
        RegisteredModel.objects.create(name=instance.name, engine_id=engine["id"])
        return real(instance)

    monkeypatch.setattr(services, "save_validated", racing)
    response = admin_client.post("/models/new/", model_form(engine["id"], name="raced"))
    assert "model name already in use" in errors_of(response)
    assert RegisteredModel.objects.filter(name="raced").count() == 1


def shown_keys(page: str) -> list[str]:
    """The ``extra_config`` keys of the help groups the page shows (not ``hidden``)."""
    help_table = page.split('data-testid="extra-config-help"')[1].split("</table>")[0]
    keys = []
    for group in re.findall(r"<tbody([^>]*)>(.*?)</tbody>", help_table, re.S):
        if " hidden" not in group[0]:
            keys.extend(re.findall(r'<tr data-key="([^"]+)"', group[1]))
    return keys


def test_create_form_explains_extra_config_for_the_ticked_capabilities(admin_client, engine):
    page = errors_of(admin_client.get(f"/models/new/?engine={engine['id']}"))
    assert f'<option value="{engine["id"]}" selected>' in page
    assert shown_keys(page) == ["defaults.context_length"]  # nothing ticked: any model's keys
    assert "With embedding (or embed, embeddings" in page  # aliases named beside the capability
    sent = errors_of(
        admin_client.post(
            "/models/new/", model_form(engine["id"], name="", capabilities=["embedding"])
        )
    )
    assert shown_keys(sent) == ["dim", "defaults.context_length"]
    assert 'data-testid="extra-config-editor"' in sent  # the JSON editor, behind a disclosure


def test_edit_changes_only_what_the_form_holds(admin_client, engine, make_model):
    row = make_model("editable", capabilities="chat", vram_required_mb=100)
    page = errors_of(admin_client.get(f"/models/{row['id']}/edit/"))
    assert 'value="editable"' in page
    response = admin_client.post(
        f"/models/{row['id']}/edit/",
        model_form(
            engine["id"],
            name="edited",
            capabilities=["chat", "reasoning"],
            vram_required_mb="2048",
            extra_config=json.dumps({"defaults": {"temperature": 0.2}}),
        ),
    )
    assert response.status_code == 302
    model = RegisteredModel.objects.get(pk=row["id"])
    assert (model.name, model.capabilities, model.vram_required_mb) == (
        "edited",
        "chat,reasoning",
        2048,
    )
    assert model.extra_config == {"defaults": {"temperature": 0.2}}


def test_failed_edit_keeps_the_stored_row(admin_client, engine, make_model):
    row = make_model("keep-me", capabilities="chat")
    response = admin_client.post(
        f"/models/{row['id']}/edit/",
        model_form(engine["id"], name="renamed", capabilities=["chat"], extra_config='{"dim": 4}'),
    )
    assert "only allowed on models with the embedding capability" in errors_of(response)
    assert "Edit registered model keep-me" in errors_of(response)
    assert RegisteredModel.objects.get(pk=row["id"]).name == "keep-me"


def test_engine_and_catalog_forms(admin_client, db):
    response = admin_client.post(
        "/engines/new/",
        {"name": "  gpu-box ", "provider": "VLLM", "config": '{"a": 1}', "status": "active"},
    )
    engine = Engine.objects.get(name="gpu-box")
    assert response.status_code == 302 and engine.provider == "vllm"
    missing = admin_client.post("/engines/new/", {"name": "", "provider": "", "config": "{}"})
    assert "Name and Provider are required" in errors_of(missing)
    catalog = admin_client.post(
        "/catalog/new/",
        {
            "name": "m1",
            "label": "",
            "source_kind": "manual",
            "format": "",
            "capabilities": ["chat"],
            "tags": "a, b ,a",
            "requirements": '{"vram_mb": -5}',
            "artifacts": "[]",
            "metadata": "{}",
            "source_payload": "{}",
            "extra_config": "{}",
            "status": "available",
        },
    )
    assert "vram_mb in Requirements must be a whole number of 0 or more" in errors_of(catalog)


def test_delete_asks_for_confirmation_then_deletes(admin_client, make_model):
    row = make_model("doomed")
    page = admin_client.get(f"/models/{row['id']}/delete/")
    assert 'data-testid="confirm-delete"' in page.content.decode()
    assert RegisteredModel.objects.filter(pk=row["id"]).exists()
    response = admin_client.post(f"/models/{row['id']}/delete/")
    assert response.status_code == 302 and response["Location"] == "/models/"
    assert not RegisteredModel.objects.filter(pk=row["id"]).exists()


def test_deleting_an_engine_with_models_is_refused_with_the_core_message(
    admin_client, engine, make_model
):
    make_model("still-here")
    response = admin_client.post(f"/engines/{engine['id']}/delete/")
    assert response.status_code == 409
    page = errors_of(response)
    assert 'data-testid="refusal"' in page
    assert "engine 'ollama-test' still has 1 registered model" in page
    assert Engine.objects.filter(pk=engine["id"]).exists()


def test_embedding_model_change_needs_confirmation_on_the_model_form(
    admin_client, engine, make_model, sdk
):
    row = make_model("embedder", capabilities="embedding", extra_config={"dim": 768})
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": row["id"]})
    form = model_form(engine["id"], name="embedder", extra_config='{"dim": 1024}')
    refused = admin_client.post(f"/models/{row['id']}/edit/", form)
    page = errors_of(refused)
    assert (
        "must be confirmed by ticking “Confirm the change of the knowledge embedding model”" in page
    )
    assert 'data-testid="confirmation"' in page
    assert RegisteredModel.objects.get(pk=row["id"]).extra_config == {"dim": 768}
    confirmed = admin_client.post(
        f"/models/{row['id']}/edit/", {**form, "confirm_embedding_model_change": "on"}
    )
    assert confirmed.status_code == 302
    assert RegisteredModel.objects.get(pk=row["id"]).extra_config == {"dim": 1024}
    assert KnowledgeSettings.load().embedding_model_id == row["id"]


def test_fields_with_errors_are_marked_invalid(admin_client, engine):
    response = admin_client.post("/models/new/", model_form(engine["id"], vram_required_mb="-1"))
    page = response.content.decode()
    field = re.search(r'<input[^>]*name="vram_required_mb"[^>]*>', page).group(0)
    assert "is-invalid" in field and 'aria-invalid="true"' in field
    name = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    assert "is-invalid" not in name
