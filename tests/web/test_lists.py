"""List pages: generated tables and filters, messages for bad input, sorting, paging."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from inventory.declarations import DECLARATIONS
from inventory.web.entities import INVENTORIES

pytestmark = pytest.mark.django_db

MODELS_URL = "/models/"


def row_names(response) -> list[str]:
    """Names of the table rows, in page order."""
    html = response.content.decode()
    return re.findall(r'<td[^>]*data-field="name"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html)


def test_columns_come_from_table_model(admin_client: Client, inventory):
    for item in INVENTORIES:
        html = admin_client.get(item.url("list")).content.decode()
        headers = re.findall(r'<th [^>]*data-field="([^"]+)"', html)
        assert headers == [entry["field"] for entry in item.declaration.table_model()]


def test_rows_show_badges_links_and_related_names(admin_client: Client, inventory):
    html = admin_client.get(MODELS_URL).content.decode()
    embed = inventory["models"]["embed-a"]
    assert f'href="/models/{embed["id"]}/">embed-a</a>' in html
    assert f'href="/engines/{inventory["engine"]["id"]}/">ollama-test</a>' in html
    assert f'href="/catalog/{inventory["catalog_model"]["id"]}/">nomic-embed-text</a>' in html
    assert 'class="badge rounded-pill capability capability-tool_calling"' in html
    assert 'class="badge text-bg-danger " data-status="error" title="error">Error</span>' in html
    assert "bi-check-circle-fill" in html  # rerank-a is downloaded


def test_filter_by_capability_and_status(admin_client: Client, inventory):
    response = admin_client.get(MODELS_URL, {"capabilities": "chat", "status": "active"})
    assert sorted(row_names(response)) == ["chat-a", "chat-c"]
    both = admin_client.get(MODELS_URL, {"capabilities": ["chat", "tool_calling"]})
    assert row_names(both) == ["chat-b"]
    alias = admin_client.get(MODELS_URL, {"capabilities": "embed"})
    assert row_names(alias) == ["embed-a"]


def test_filters_by_engine_search_and_boolean(admin_client: Client, inventory):
    other = inventory["other_engine"]["id"]
    assert row_names(admin_client.get(MODELS_URL, {"engine_id": other})) == ["chat-c"]
    assert row_names(admin_client.get(MODELS_URL, {"q": "RERANK"})) == ["rerank-a"]
    assert row_names(admin_client.get(MODELS_URL, {"is_downloaded": "1"})) == ["rerank-a"]


def test_invalid_filter_value_shows_its_message_and_no_rows(admin_client: Client, inventory):
    response = admin_client.get(MODELS_URL, {"capabilities": "telepathy"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "unknown capability &#x27;telepathy&#x27;; known capabilities: chat" in html
    assert 'data-testid="filter-errors"' in html
    assert row_names(response) == []
    bad_id = admin_client.get(MODELS_URL, {"engine_id": "abc"}).content.decode()
    assert "engine_id must be an integer, got &#x27;abc&#x27;" in bad_id
    bad_status = admin_client.get(MODELS_URL, {"status": "sleeping"}).content.decode()
    assert "&#x27;sleeping&#x27; is not a valid status; choose one of:" in bad_status


def test_unknown_parameter_is_reported_not_ignored(admin_client: Client, inventory):
    response = admin_client.get(MODELS_URL, {"colour": "red"})
    html = response.content.decode()
    assert "unknown filter &#x27;colour&#x27;; known filters: id, name, engine_id" in html
    assert row_names(response) == []


def test_sort_on_declared_columns_with_id_tie_break(admin_client: Client, inventory):
    names = row_names(admin_client.get(MODELS_URL, {"sort": "-name"}))
    assert names == sorted(names, reverse=True)
    by_vram = row_names(admin_client.get(MODELS_URL, {"sort": "-vram_required_mb"}))
    assert by_vram[:2] == ["chat-c", "chat-a"]
    # equal VRAM (0 MB): id breaks the tie, in the sort's direction
    assert by_vram[2:] == ["rerank-a", "embed-a", "chat-b"]


def test_sort_on_an_undeclared_column_is_reported(admin_client: Client, inventory):
    html = admin_client.get(MODELS_URL, {"sort": "capabilities"}).content.decode()
    assert "cannot sort by &#x27;capabilities&#x27;; sortable: id, name" in html
    assert 'data-testid="query-warnings"' in html


def test_pagination_and_page_size(admin_client: Client, inventory):
    first = admin_client.get(MODELS_URL, {"page_size": 2, "sort": "name"})
    second = admin_client.get(MODELS_URL, {"page_size": 2, "sort": "name", "page": 2})
    assert row_names(first) == ["chat-a", "chat-b"]
    assert row_names(second) == ["chat-c", "embed-a"]
    assert "Rows 3\u20134 of 5" in second.content.decode()
    links = re.findall(r'class="page-link" href="([^"]+)"', first.content.decode())
    assert "?page_size=2&amp;sort=name&amp;page=2" in links
    beyond = admin_client.get(MODELS_URL, {"page_size": 2, "sort": "name", "page": 99})
    assert row_names(beyond) == ["rerank-a"]


def test_page_size_is_clamped_like_the_sdk(admin_client: Client, inventory):
    huge = admin_client.get(MODELS_URL, {"page_size": 5000})
    assert huge.context["query"].page_size == 200
    tiny = admin_client.get(MODELS_URL, {"page_size": 0})
    assert tiny.context["query"].page_size == 1
    assert len(row_names(tiny)) == 1
    bad = admin_client.get(MODELS_URL, {"page_size": "many"}).content.decode()
    assert "page_size must be an integer" in bad


def test_every_declared_filter_is_on_the_form(admin_client: Client, inventory):
    """Reference ids (``engine_id``) are on the form once given; until then the typeahead of
    the same reference by name or id (``engine``) stands for them."""
    for item in INVENTORIES:
        html = admin_client.get(item.url("list")).content.decode()
        for entry in item.declaration.filters_model():
            field = entry["field"]
            if field in item.relations:
                given = admin_client.get(item.url("list"), {field: 1}).content.decode()
                assert f'name="{field}"' in given, (item.slug, field)
                field = field.removesuffix("_id")
            assert f'name="{field}"' in html, (item.slug, field)


def test_detail_page_shows_every_field_and_links(admin_client: Client, inventory):
    embed = inventory["models"]["embed-a"]
    html = admin_client.get(f"/models/{embed['id']}/").content.decode()
    for item in DECLARATIONS["model_registry"].fields:
        assert f'data-field="{item.name}"' in html, item.name
    assert "&quot;dim&quot;: 768" in html
    assert '<code class="runtime-method">embed_texts</code>' in html
    assert f'href="/engines/{inventory["engine"]["id"]}/"' in html
    assert f'href="/catalog/{inventory["catalog_model"]["id"]}/"' in html

    engine_page = admin_client.get(f"/engines/{inventory['engine']['id']}/").content.decode()
    assert f'href="/models/{embed["id"]}/">embed-a</a>' in engine_page
    assert f"/models/?engine_id={inventory['engine']['id']}" in engine_page
    catalog_page = admin_client.get(
        f"/catalog/{inventory['catalog_model']['id']}/"
    ).content.decode()
    assert f'href="/models/{embed["id"]}/">embed-a</a>' in catalog_page


def test_missing_row_is_404(admin_client: Client, db):
    assert admin_client.get(reverse("inventory:models-detail", args=[999])).status_code == 404


def test_an_empty_table_says_why(admin_client: Client, db):
    assert "No registered models yet." in admin_client.get(MODELS_URL).content.decode()


def test_no_match_and_invalid_filters_read_differently(admin_client: Client, inventory):
    page = admin_client.get(MODELS_URL, {"q": "no-such-model"}).content.decode()
    assert "No registered models match these filters." in page
    page = admin_client.get(MODELS_URL, {"status": "sleeping"}).content.decode()
    assert "No rows are shown while the filters are not valid." in page
    assert "match these filters" not in page


def test_choice_filters_offer_any_once(admin_client: Client, db):
    """The catalog's ``format`` may be blank; the filter still offers a single "any"."""
    form = admin_client.get("/catalog/").context["form"]
    choices = [value for value, _ in form.fields["format"].widget.choices]
    assert choices.count("") == 1 and "gguf" in choices
