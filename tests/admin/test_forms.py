"""Admin forms report the shared validation as form errors and save through the services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from inventory.models import KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db


def model_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "nomic",
        "engine": "",
        "available_model": "",
        "model_path": "",
        "vram_required_mb": "0",
        "ram_required_mb": "0",
        "remote_url": "",
        "version": "",
        "capabilities": "embedding",
        "extra_config": "{}",
        "status": "available",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors(response) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {key: [str(message) for message in messages] for key, messages in form.errors.items()}


ADD = reverse("admin:inventory_registeredmodel_add")


def change(pk: int) -> str:
    return reverse("admin:inventory_registeredmodel_change", args=[pk])


@pytest.mark.parametrize(
    "dim, shown",
    [('"768"', "'768'"), ("0", "0"), ("-3", "-3"), ("true", "True"), ("7.5", "7.5")],
    ids=["string", "zero", "negative", "bool", "float"],
)
def test_bad_dim_on_add_is_a_form_error_and_nothing_is_saved(admin_client, engine, dim, shown):
    response = admin_client.post(
        ADD, model_form(engine=engine["id"], extra_config=f'{{"dim": {dim}}}')
    )
    assert response.status_code == 200
    assert errors(response) == {
        "extra_config": [f"dim in Extra config must be a whole number of 1 or more, got {shown}"]
    }
    assert not RegisteredModel.objects.exists()


def test_bad_dim_on_change_is_a_form_error_and_nothing_is_saved(admin_client, make_model, engine):
    model = make_model("nomic", capabilities="embedding", extra_config={"dim": 768})
    response = admin_client.post(
        change(model["id"]),
        model_form(engine=engine["id"], extra_config='{"dim": "1024"}', version="2"),
    )
    assert response.status_code == 200
    assert errors(response) == {
        "extra_config": ["dim in Extra config must be a whole number of 1 or more, got '1024'"]
    }
    stored = RegisteredModel.objects.get(pk=model["id"])
    assert (stored.extra_config, stored.version) == ({"dim": 768}, "")


def test_capability_and_defaults_errors_come_from_the_core(admin_client, engine):
    response = admin_client.post(
        ADD,
        model_form(
            engine=engine["id"], capabilities="embedding", extra_config='{"defaults": {"top_k": 3}}'
        ),
    )
    assert "only allowed on models with the chat or reasoning capability" in str(
        errors(response)["extra_config"]
    )
    response = admin_client.post(
        ADD, model_form(engine=engine["id"], capabilities="chat,telepathy")
    )
    assert errors(response)["capabilities"][0].startswith("unknown capability 'telepathy'")
    response = admin_client.post(ADD, model_form(engine=engine["id"], extra_config="[1, 2]"))
    assert errors(response) == {"extra_config": ["Extra config must be a JSON object"]}
    assert not RegisteredModel.objects.exists()


def test_valid_add_normalizes_like_every_other_door(admin_client, engine, catalog_model):
    response = admin_client.post(
        ADD,
        model_form(
            name="  nomic  ",
            engine=engine["id"],
            available_model=catalog_model["id"],
            capabilities="Embeddings, chat",
            extra_config='{"dim": 768, "defaults": {"temperature": 0.2}}',
        ),
    )
    assert response.status_code == 302
    model = RegisteredModel.objects.get()
    assert (model.name, model.capabilities) == ("nomic", "embedding,chat")
    assert model.extra_config == {"dim": 768, "defaults": {"temperature": 0.2}}


def test_change_form_shows_runtime_methods_pretty_json_and_schema(admin_client, make_model):
    model = make_model("nomic", capabilities="embedding,chat", extra_config={"dim": 768})
    response = admin_client.get(change(model["id"]))
    content = response.content.decode()
    assert "generate_completion, generate_stream, embed_texts" in content
    form = response.context["adminform"].form
    assert form["extra_config"].value() == json.dumps({"dim": 768}, indent=2)
    help_text = str(form.fields["extra_config"].help_text)
    assert "<strong data-help-selected>embedding, chat</strong>" in help_text
    assert '<tbody data-capabilities="embedding">' in help_text  # shown, not hidden
    assert "Vector dimension" in help_text
    assert "inventory/extra_config.js" in content
    assert "runtime_methods" not in form.fields


def test_duplicate_name_reports_the_core_message(admin_client, make_model, engine):
    make_model("llama3")
    response = admin_client.post(ADD, model_form(name="llama3", engine=engine["id"]))
    assert errors(response) == {"name": ['model name already in use (by "llama3")']}


def test_a_save_refused_after_validation_shows_the_form_again(
    admin_client, make_model, engine, monkeypatch
):
    """A concurrent create between validation and the write: the database refuses, the
    services translate it and the admin shows the form with the message, saving nothing."""
    make_model("llama3")
    monkeypatch.setattr(RegisteredModel, "validate_unique", lambda self, exclude=None: None)
    response = admin_client.post(ADD, model_form(name="llama3", engine=engine["id"]))
    assert response.status_code == 200
    assert errors(response) == {
        "__all__": ["the change conflicts with a concurrent write; please retry"]
    }
    assert RegisteredModel.objects.filter(name="llama3").count() == 1


# --- knowledge settings --------------------------------------------------------------------

KNOWLEDGE = reverse("admin:inventory_knowledgesettings_change", args=[1])


@pytest.fixture
def embedders(make_model) -> tuple[dict, dict]:
    first = make_model("embed-a", capabilities="embedding", extra_config={"dim": 768})
    second = make_model("embed-b", capabilities="embedding", extra_config={"dim": 1024})
    return first, second


def test_enabling_without_a_model_is_a_form_error(admin_client):
    KnowledgeSettings.load()
    response = admin_client.post(KNOWLEDGE, {"enabled": "on", "embedding_model": ""})
    assert errors(response) == {
        "embedding_model": ["enabling knowledge requires an embedding model (embedding_model_id)"]
    }
    assert not KnowledgeSettings.load().enabled


def test_changing_the_embedding_model_needs_the_confirmation(admin_client, embedders, sdk):
    first, second = embedders
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": first["id"]})
    response = admin_client.post(KNOWLEDGE, {"enabled": "on", "embedding_model": second["id"]})
    assert (
        "must be confirmed by ticking “Confirm the change of the knowledge embedding model”"
        in str(errors(response)["embedding_model"])
    )
    assert KnowledgeSettings.load().embedding_model_id == first["id"]
    response = admin_client.post(
        KNOWLEDGE,
        {
            "enabled": "on",
            "embedding_model": second["id"],
            "confirm_embedding_model_change": "on",
        },
    )
    assert response.status_code == 302
    assert KnowledgeSettings.load().embedding_model_id == second["id"]


def test_changing_dim_of_the_knowledge_model_needs_the_confirmation(
    admin_client, embedders, engine, sdk
):
    first, _ = embedders
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": first["id"]})
    data = model_form(name="embed-a", engine=engine["id"], extra_config='{"dim": 512}')
    response = admin_client.post(change(first["id"]), data)
    assert "must be confirmed" in str(errors(response)["extra_config"])
    assert RegisteredModel.objects.get(pk=first["id"]).extra_config == {"dim": 768}
    response = admin_client.post(
        change(first["id"]), {**data, "confirm_embedding_model_change": "on"}
    )
    assert response.status_code == 302
    assert RegisteredModel.objects.get(pk=first["id"]).extra_config == {"dim": 512}


@pytest.mark.parametrize("name", ["engine", "availablemodel", "registeredmodel"])
def test_add_pages_render(admin_client, name):
    response = admin_client.get(reverse(f"admin:inventory_{name}_add"))
    assert response.status_code == 200


def test_engine_add_through_the_admin(admin_client):
    url = reverse("admin:inventory_engine_add")
    response = admin_client.post(
        url, {"name": " vllm-1 ", "provider": "VLLM", "config": "{}", "status": "installed"}
    )
    assert response.status_code == 302
    response = admin_client.post(
        url, {"name": "vllm-1", "provider": "", "config": "{}", "status": "installed"}
    )
    assert errors(response) == {
        "name": ['engine name already in use (by "vllm-1")'],
        "provider": ["Name and Provider are required"],
    }


def test_missing_engine_and_unknown_choices_use_the_core_wording(admin_client, engine):
    response = admin_client.post(ADD, model_form(name="", engine=""))
    assert errors(response) == {
        "name": ["Name and Engine are required"],
        "engine": ["Name and Engine are required"],
    }
    response = admin_client.post(ADD, model_form(engine=999, status="sleeping"))
    assert errors(response) == {
        "engine": ["Engine does not exist"],
        "status": [
            "'sleeping' is not a valid status; choose one of: "
            "available, active, downloading, error, disabled"
        ],
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"vram_required_mb": "-1"},
        {"vram_required_mb": "1.5"},
        {"vram_required_mb": "99999999999999999999"},
        {"vram_required_mb": ""},
        {"engine": "abc"},
        {"engine": "99999999999999999999"},
        {"available_model": "x"},
        {"status": "sleeping"},
        {"name": "", "engine": ""},
        {"capabilities": "chat,telepathy"},
    ],
    ids=lambda fields: ",".join(f"{k}={v[:8]}" for k, v in fields.items()),
)
def test_admin_and_pages_word_every_refusal_alike(admin_client, engine, fields):
    """One form machinery for both doors: the model decides, the model's message is shown."""
    data = model_form(**{"engine": engine["id"], **fields})
    admin_page = admin_client.post(ADD, data)
    web_page = admin_client.post(
        "/models/new/", {**data, "capabilities": data["capabilities"].split(",")}
    )
    assert admin_page.status_code == web_page.status_code == 200
    web_errors = {
        key: [str(message) for message in messages]
        for key, messages in web_page.context["form"].errors.items()
    }
    assert errors(admin_page) == web_errors
    assert not any("Ensure this value" in str(m) for m in web_errors.values())
    assert not any("Enter a whole number" in str(m) for m in web_errors.values())
    assert not RegisteredModel.objects.exists()


def test_knowledge_admin_with_a_model_that_is_not_an_id_is_a_form_error(admin_client):
    KnowledgeSettings.load()
    response = admin_client.post(KNOWLEDGE, {"enabled": "on", "embedding_model": "abc"})
    assert response.status_code == 200
    assert "embedding_model" in errors(response)


def test_nul_characters_are_refused_with_the_core_message(admin_client, engine):
    response = admin_client.post(ADD, model_form(engine=engine["id"], model_path="a\x00b"))
    assert errors(response) == {"model_path": ["Path must not contain NUL characters"]}
    assert not RegisteredModel.objects.exists()


def test_json_nested_too_deeply_for_the_parser_is_a_form_error(admin_client, engine):
    text = "[" * 100_000 + "]" * 100_000
    response = admin_client.post(ADD, model_form(engine=engine["id"], extra_config=text))
    assert errors(response) == {"extra_config": ["Enter a valid JSON."]}
    assert not RegisteredModel.objects.exists()
