"""The knowledge settings page (with its confirmation step) and the dashboard."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import KnowledgeSettings
from inventory.web.views import dashboard

pytestmark = pytest.mark.django_db

URL = "/knowledge/"


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def embedders(make_model) -> tuple[dict, dict]:
    first = make_model("embed-one", capabilities="embedding", extra_config={"dim": 768})
    second = make_model("embed-two", capabilities="embedding", extra_config={"dim": 1024})
    return first, second


def test_page_shows_the_current_config_and_embedding_choices(admin_client, embedders, sdk):
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": embedders[0]["id"]})
    page = text(admin_client.get(URL))
    assert 'data-field="enabled"><span class="badge text-bg-success">enabled' in page
    assert f'href="/models/{embedders[0]["id"]}/">embed-one</a>' in page
    assert 'data-field="dim">768' in page
    assert f'<option value="{embedders[1]["id"]}">embed-two (available)</option>' in page


def test_enabling_without_a_model_shows_the_core_message(admin_client, db):
    response = admin_client.post(URL, {"enabled": "on", "embedding_model_id": ""})
    assert "enabling knowledge requires an embedding model" in text(response)
    assert not KnowledgeSettings.load().enabled


def test_enable_with_a_model(admin_client, embedders):
    response = admin_client.post(
        URL, {"enabled": "on", "embedding_model_id": str(embedders[0]["id"])}
    )
    assert response.status_code == 302
    settings = KnowledgeSettings.load()
    assert settings.enabled and settings.embedding_model_id == embedders[0]["id"]


def test_changing_the_model_while_enabled_needs_a_confirmation_step(admin_client, embedders, sdk):
    first, second = embedders
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": first["id"]})
    change = {"enabled": "on", "embedding_model_id": str(second["id"])}
    asked = text(admin_client.post(URL, change))
    assert 'data-testid="confirmation"' in asked
    assert "must be confirmed by ticking “I confirm changing the embedding model”" in asked
    assert 'name="confirm_embedding_model_change"' in asked
    assert KnowledgeSettings.load().embedding_model_id == first["id"]

    confirmed = admin_client.post(URL, {**change, "confirm_embedding_model_change": "on"})
    assert confirmed.status_code == 302
    assert KnowledgeSettings.load().embedding_model_id == second["id"]


def test_a_refusal_that_confirmation_cannot_fix_is_not_offered_a_confirmation(
    admin_client, embedders, make_model, sdk
):
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": embedders[0]["id"]})
    chat = make_model("chatty", capabilities="chat")
    page = text(admin_client.post(URL, {"enabled": "on", "embedding_model_id": str(chat["id"])}))
    assert "does not have the embedding capability" in page
    assert 'data-testid="confirmation"' not in page


def test_dashboard_counts_by_status_and_memory_per_engine(admin_client: Client, inventory):
    page = admin_client.get("/").content.decode()
    models_card = page.split('data-testid="summary-models"')[1].split('data-testid="summary')[0]
    counts = dict(
        re.findall(
            r'data-status="(\w+)">.*?data-testid="count">(\d+)</span>', models_card, re.DOTALL
        )
    )
    assert counts == {
        "available": "1",
        "active": "3",
        "downloading": "0",
        "error": "1",
        "disabled": "0",
    }
    loads = page.split('data-testid="engine-loads"')[1]
    figures = dict(
        (name, (vram, ram))
        for name, vram, ram in re.findall(
            r'class="figures" data-engine="([^"]+)">.*?data-testid="vram">([^<]+)</span>'
            r'.*?data-testid="ram">([^<]+)</span>',
            loads,
            re.DOTALL,
        )
    )
    assert figures == {"vllm-test": ("7.8 GB", "2 GB"), "ollama-test": ("3.9 GB", "1 GB")}


def test_dashboard_costs_a_constant_number_of_queries(admin_client, inventory, make_model):
    admin_client.get("/")  # creates the knowledge settings row
    with CaptureQueriesContext(connection) as small:
        admin_client.get("/")
    for index in range(30):
        make_model(f"extra-{index}", vram_required_mb=index)
    with CaptureQueriesContext(connection) as large:
        admin_client.get("/")
    assert len(large) == len(small)


def test_the_memory_chart_shows_the_engines_needing_most(admin_client, sdk, inventory, monkeypatch):
    monkeypatch.setattr(dashboard, "CHART_ENGINES", 1)
    sdk.models.engine_registry.create({"name": "idle", "provider": "ollama"})
    page = admin_client.get("/").content.decode()
    assert re.findall(r'class="engine" data-engine="([^"]+)"', page) == ["vllm-test"]
    assert "Showing 1 of 3 engines, those needing the most VRAM" in page
