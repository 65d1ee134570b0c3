"""Detail pages: fields in sections under screen labels, empty fields folded away, links that
are safe to follow, the API representation for developers, and related panels whose cost
does not grow with the number of related rows."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.declarations import DECLARATIONS
from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from inventory.web.details import SECTIONS

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


@pytest.mark.parametrize("key", list(SECTIONS))
def test_sections_name_only_declared_fields(key):
    declared = {item.name for item in DECLARATIONS[key].fields}
    for _title, names in SECTIONS[key]:
        assert set(names) <= declared, set(names) - declared


def test_model_page_groups_fields_and_shows_labels_without_raw_names(admin_client, inventory):
    embed = inventory["models"]["embed-a"]
    html = page(admin_client, f"/models/{embed['id']}/")
    for section in ("identity", "runtime", "resources", "configuration", "timestamps"):
        assert f'data-testid="section-{section}"' in html, section
    resources = between(html, 'data-testid="section-resources"', "</section>")
    assert '<span title="API field: ram_required_mb">RAM (MB)</span>' in resources
    assert "font-monospace" not in html.split('data-testid="developer-view"')[0]
    # every declared field appears once on the page, shown or folded
    fields = re.findall(r'<tr data-field="([^"]+)"', html)
    assert sorted(fields) == sorted(item.name for item in DECLARATIONS["model_registry"].fields)


def test_empty_fields_are_folded_and_empty_json_is_not_a_box(admin_client):
    row = AvailableModel.objects.create(name="bare", label="bare")
    html = page(admin_client, f"/catalog/{row.pk}/")
    shown = html.split('data-testid="empty-fields"')[0]
    folded = between(html, 'data-testid="empty-fields"', "</details>")
    empty = re.findall(r'<tr data-field="([^"]+)" data-empty>', folded)
    assert {"requirements", "artifacts", "metadata", "tags", "summary", "remote_url"} <= set(empty)
    assert f"Show empty fields ({len(empty)})" in folded
    assert "<pre" not in shown  # no {} or [] boxes among the shown fields
    assert 'data-field="name"' in shown and 'data-field="name"' not in folded


def test_web_addresses_are_links_and_nothing_else_is(admin_client):
    row = AvailableModel.objects.create(
        name="linked",
        label="linked",
        remote_url="https://huggingface.co/org/model",
        storage_ref="javascript:alert(1)",
        catalog_model_id="hf://org/model",
    )
    html = page(admin_client, f"/catalog/{row.pk}/")
    assert (
        '<a href="https://huggingface.co/org/model" target="_blank" rel="noopener noreferrer"'
        in html
    )
    assert 'href="javascript:' not in html
    assert 'href="hf://' not in html
    assert "javascript:alert(1)" in between(html, 'data-field="storage_ref"', "</tr>")


def test_developer_view_shows_the_api_row(admin_client, api_client_for_admin):
    engine = Engine.objects.create(
        name="keyed", provider="openai", config={"api_key": "sk-very-secret", "base_url": "x"}
    )
    html = page(admin_client, f"/engines/{engine.pk}/")
    shown = html_lib.unescape(between(html, 'data-testid="api-row"><code>', "</code>"))
    api = api_client_for_admin.get(f"/api/v1/engine-registry/{engine.pk}/").json()
    assert json.loads(shown) == api
    assert "sk-very-secret" not in html
    assert f"GET /api/v1/engine-registry/{engine.pk}/" in html


@pytest.fixture
def api_client_for_admin(admin_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_engine_panel_lists_models_with_memory_against_capacity(admin_client):
    engine = Engine.objects.create(name="gpu", provider="vllm", vram_total_mb=24576)
    model = RegisteredModel.objects.create(
        name="big", engine=engine, vram_required_mb=18432, status="active"
    )
    html = page(admin_client, f"/engines/{engine.pk}/")
    panel = between(html, 'data-testid="panel-engine-models"', "</section>")
    assert f'href="/models/{model.pk}/">big</a>' in panel
    assert "18 GB of 24 GB (75%)" in panel
    assert '<meter min="0" max="24576" value="18432"' in panel
    assert "no capacity" not in panel


def test_catalog_panel_lists_the_engines_it_is_registered_on(admin_client, engine):
    catalog = AvailableModel.objects.create(name="qwen", label="qwen")
    row = RegisteredModel.objects.create(
        name="qwen-here", engine_id=engine["id"], available_model=catalog
    )
    html = page(admin_client, f"/catalog/{catalog.pk}/")
    panel = between(html, 'data-testid="panel-catalog-registrations"', "</section>")
    assert f'href="/engines/{engine["id"]}/">{engine["name"]}</a>' in panel
    assert f'href="/models/{row.pk}/">qwen-here</a>' in panel
    bare = AvailableModel.objects.create(name="lonely", label="lonely")
    assert "Not registered on any engine." in page(admin_client, f"/catalog/{bare.pk}/")


def test_model_panels_show_engine_catalog_sync_and_knowledge(admin_client, engine):
    catalog = AvailableModel.objects.create(
        name="nomic", label="Nomic", family="nomic-bert", version="1", capabilities="embedding"
    )
    row = RegisteredModel.objects.create(
        name="nomic-here",
        engine_id=engine["id"],
        available_model=catalog,
        capabilities="embedding",
        version="1",
    )
    KnowledgeSettings.objects.update_or_create(pk=1, defaults={"embedding_model": row})
    html = page(admin_client, f"/models/{row.pk}/")
    engine_panel = between(html, 'data-testid="panel-model-engine"', "</section>")
    assert f'href="/engines/{engine["id"]}/">{engine["name"]}</a>' in engine_panel
    catalog_panel = between(html, 'data-testid="panel-model-catalog"', "</section>")
    assert f'href="/catalog/{catalog.pk}/">nomic</a>' in catalog_panel
    assert "nomic-bert" in catalog_panel and "In sync with the catalog row." in catalog_panel
    knowledge = between(html, 'data-testid="panel-model-knowledge"', "</section>")
    assert "text-success" in knowledge  # the knowledge embedding model: yes

    AvailableModel.objects.filter(pk=catalog.pk).update(version="2")
    catalog_panel = between(
        page(admin_client, f"/models/{row.pk}/"), 'data-testid="panel-model-catalog"', "</section>"
    )
    assert "Out of sync: version differ" in catalog_panel


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_detail_page_queries_do_not_grow_with_related_rows(admin_client):
    engine = Engine.objects.create(name="host", provider="ollama", vram_total_mb=1024)
    catalog = AvailableModel.objects.create(name="shared", label="shared")

    def add(count: int) -> None:
        start = RegisteredModel.objects.count()
        for index in range(start, start + count):
            RegisteredModel.objects.create(
                name=f"m-{index}", engine=engine, available_model=catalog, vram_required_mb=10
            )

    add(1)
    urls = [f"/engines/{engine.pk}/", f"/catalog/{catalog.pk}/"]
    first = RegisteredModel.objects.get()
    urls.append(f"/models/{first.pk}/")
    for url in urls:
        admin_client.get(url)  # session and permission caches
    small = [queries_for(admin_client, url) for url in urls]
    add(25)
    large = [queries_for(admin_client, url) for url in urls]
    assert large == small
    assert max(small) <= 10, small
