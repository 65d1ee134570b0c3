"""Pages: capacity override on forms, capacity and warnings on detail pages, the bind form,
the knowledge model's deactivation, and bulk selections."""

from __future__ import annotations

import html

import pytest

from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel

from .test_forms import model_form

pytestmark = pytest.mark.django_db

GB = 1024


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def small() -> Engine:
    return Engine.objects.create(name="small", provider="ollama", vram_total_mb=4 * GB)


def test_the_form_refuses_activation_beyond_capacity_without_the_override(admin_client, small):
    data = model_form(small.pk, vram_required_mb="6144", status="active", capabilities=["chat"])
    response = admin_client.post("/models/new/", data)
    assert response.status_code == 200
    assert "engine 'small' has 4 GB of VRAM" in text(response)
    assert not RegisteredModel.objects.exists()
    response = admin_client.post("/models/new/", {**data, "allow_over_capacity": "on"})
    assert response.status_code == 302
    assert RegisteredModel.objects.get().status == "active"


def test_engine_page_shows_needed_against_available(admin_client, small):
    RegisteredModel.objects.create(name="a", engine=small, status="active", vram_required_mb=6 * GB)
    page = text(admin_client.get(f"/engines/{small.pk}/"))
    assert 'data-testid="over-capacity"' in page
    assert "6 GB of 4 GB" in page
    assert '4,096 MB <span class="text-body-secondary">(4 GB)</span>' in page  # humanized


def test_model_page_shows_its_warnings(admin_client, small):
    small.status = "error"
    small.save()
    row = RegisteredModel.objects.create(name="a", engine=small, status="active")
    page = text(admin_client.get(f"/models/{row.pk}/"))
    assert "active on engine 'small', which is in error" in page


def test_bind_form_lists_compatible_engines_first_and_names_the_row(admin_client):
    llama = Engine.objects.create(name="a-llama", provider="llamacpp")
    ollama = Engine.objects.create(name="z-ollama", provider="ollama")
    catalog = AvailableModel.objects.create(name="qwen", label="qwen", provider_hint="ollama")
    page = text(admin_client.get(f"/catalog/{catalog.pk}/bind/"))
    options = page.split("data-bind-engine>")[1].split("</select>")[0]
    assert options.index("z-ollama") < options.index("a-llama")
    assert f'value="{ollama.pk}" data-default-name="engine_{ollama.pk}__qwen" selected' in options
    assert f'value="{llama.pk}" data-default-name="engine_{llama.pk}__qwen" disabled' in options
    assert "provider_hint admits ollama" in page
    assert f'value="engine_{ollama.pk}__qwen"' in page
    response = admin_client.post(
        f"/catalog/{catalog.pk}/bind/", {"engine_id": ollama.pk, "name": "qwen-on-ollama"}
    )
    assert response.status_code == 302
    assert RegisteredModel.objects.get().name == "qwen-on-ollama"


def test_deactivating_the_knowledge_model_asks_for_confirmation(admin_client, small):
    embed = RegisteredModel.objects.create(
        name="embedder",
        engine=small,
        status="active",
        capabilities="embedding",
        extra_config={"dim": 8},
    )
    KnowledgeSettings.objects.create(enabled=True, embedding_model=embed)
    page = text(admin_client.get(f"/models/{embed.pk}/"))
    assert 'data-testid="deactivate-confirmation"' in page
    url = f"/models/{embed.pk}/deactivate/"
    response = admin_client.post(url, follow=True)
    assert "must be confirmed with confirm_embedding_model_change" in text(response)
    assert RegisteredModel.objects.get(pk=embed.pk).status == "active"
    admin_client.post(url, {"confirm_embedding_model_change": "1"})
    assert RegisteredModel.objects.get(pk=embed.pk).status == "available"


def test_a_bulk_page_without_a_selection_changes_nothing(admin_client, small):
    RegisteredModel.objects.create(name="a", engine=small)
    response = admin_client.post(
        "/models/bulk/", {"action": "update", "status": "disabled", "apply": "1"}
    )
    assert response.status_code == 400
    assert "never applies to every row" in text(response)
    assert not RegisteredModel.objects.filter(status="disabled").exists()


def test_bulk_pages_need_the_permission_of_the_action(login, make_user, small):
    row = RegisteredModel.objects.create(name="a", engine=small)
    editor = make_user(
        "editor", "inventory.view_registeredmodel", "inventory.change_registeredmodel"
    )
    client = login(editor)
    assert client.get(f"/models/bulk/?action=update&ids={row.pk}").status_code == 200
    response = client.post("/models/bulk/", {"action": "delete", "ids": row.pk, "apply": "1"})
    assert response.status_code == 403
    assert RegisteredModel.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("slug", ["engines", "catalog", "models"])
@pytest.mark.parametrize("action", ["update", "move", "deactivate", "delete"])
def test_every_bulk_page_renders_and_previews(admin_client, small, slug, action):
    row = {
        "engines": small,
        "catalog": AvailableModel.objects.create(name="c", label="c"),
        "models": RegisteredModel.objects.create(name="m", engine=small),
    }[slug]
    response = admin_client.get(f"/{slug}/bulk/?action={action}&ids={row.pk}")
    assert response.status_code == 200
    page = text(response)
    assert "1 selected row(s)" in page
    response = admin_client.post(
        f"/{slug}/bulk/", {"action": action, "ids": row.pk, "preview": "1"}
    )
    page = text(response)
    if response.status_code == 200:
        assert 'data-testid="bulk-summary"' in page and "Preview, nothing written" in page
    else:  # nothing chosen to change: said so, nothing written
        assert response.status_code == 400
        assert "choose the engine" in page or "changes must be a non-empty object" in page


def test_disabling_the_knowledge_model_on_its_form_asks_for_confirmation(admin_client, small):
    embed = RegisteredModel.objects.create(
        name="embedder",
        engine=small,
        status="active",
        capabilities="embedding",
        extra_config={"dim": 8},
    )
    KnowledgeSettings.objects.create(enabled=True, embedding_model=embed)
    data = model_form(
        small.pk,
        name="embedder",
        model_path="",
        status="disabled",
        extra_config='{"dim": 8}',
    )
    response = admin_client.post(f"/models/{embed.pk}/edit/", data)
    assert response.status_code == 200
    assert 'data-testid="confirmation"' in text(response)
    assert RegisteredModel.objects.get(pk=embed.pk).status == "active"
    response = admin_client.post(
        f"/models/{embed.pk}/edit/", {**data, "confirm_embedding_model_change": "on"}
    )
    assert response.status_code == 302
    assert RegisteredModel.objects.get(pk=embed.pk).status == "disabled"
