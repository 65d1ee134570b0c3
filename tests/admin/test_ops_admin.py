"""The admin: capacity override on the form, bulk edit action, delete impact before the click."""

from __future__ import annotations

import html

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel

from .test_forms import change, errors, model_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_engine() -> Engine:
    return Engine.objects.create(name="small", provider="ollama", vram_total_mb=1024)


def test_activating_beyond_capacity_needs_the_override_on_the_form(admin_client, small_engine):
    row = RegisteredModel.objects.create(
        name="big", engine=small_engine, vram_required_mb=2048, capabilities="chat"
    )
    data = model_form(
        name="big",
        engine=str(small_engine.pk),
        vram_required_mb="2048",
        capabilities="chat",
        status="active",
    )
    response = admin_client.post(change(row.pk), data)
    assert response.status_code == 200
    assert "has 1 GB of VRAM" in errors(response)["status"][0]
    assert RegisteredModel.objects.get(pk=row.pk).status == "available"
    response = admin_client.post(change(row.pk), {**data, "allow_over_capacity": "on"})
    assert response.status_code == 302
    assert RegisteredModel.objects.get(pk=row.pk).status == "active"


def test_engine_capacity_is_edited_in_the_admin(admin_client, small_engine):
    page = admin_client.get(reverse("admin:inventory_engine_change", args=[small_engine.pk]))
    content = page.content.decode()
    assert 'name="vram_total_mb"' in content and 'name="ram_total_mb"' in content


def test_bulk_edit_action_opens_the_bulk_page_with_the_selection(admin_client, small_engine):
    rows = [RegisteredModel.objects.create(name=f"r{i}", engine=small_engine) for i in range(2)]
    response = admin_client.post(
        reverse("admin:inventory_registeredmodel_changelist"),
        {"action": "bulk_edit", ACTION_CHECKBOX_NAME: [str(row.pk) for row in rows]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/models/bulk/?action=update&ids={rows[0].pk}&ids={rows[1].pk}"
    page = admin_client.get(response["Location"])
    assert "2 selected row(s)" in page.content.decode()


def test_delete_confirmations_show_the_impact(admin_client, small_engine):
    catalog = AvailableModel.objects.create(name="qwen", label="qwen")
    bound = RegisteredModel.objects.create(
        name=f"engine_{small_engine.pk}__qwen", engine=small_engine, available_model=catalog
    )
    embed = RegisteredModel.objects.create(
        name="embedder", engine=small_engine, capabilities="embedding", extra_config={"dim": 8}
    )
    KnowledgeSettings.objects.create(enabled=True, embedding_model=embed)

    def page(model: str, pk: int) -> str:
        url = reverse(f"admin:inventory_{model}_delete", args=[pk])
        return html.unescape(admin_client.get(url).content.decode())

    engine_page = page("engine", small_engine.pk)
    assert "still has 2 registered models" in engine_page
    assert 'id="delete-impact-refused"' in engine_page
    assert reverse("admin:inventory_registeredmodel_change", args=[bound.pk]) in engine_page
    assert f"/models/bulk/?action=move&all=1&filter=engine_id%3D{small_engine.pk}" in engine_page

    catalog_page = page("availablemodel", catalog.pk)
    assert 'id="delete-impact-unlinked"' in catalog_page
    assert "made by binding this catalog model will lose their catalog link" in catalog_page
    assert 'type="submit"' in catalog_page  # allowed: the confirmation stays

    embed_page = page("registeredmodel", embed.pk)
    assert "knowledge embedding model" in embed_page
    assert "Pick another knowledge embedding model" in embed_page
