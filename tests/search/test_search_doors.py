"""The search page and ``GET /api/v1/search/``: the same search, grouped by entity, limited to
what the user may view, at a constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.client import RegistryClient
from inventory.errors import RegistryValidationError
from inventory.models import ApiToken, AvailableModel, RegisteredModel
from inventory.sdk import module_sdk
from inventory.search import search


def hits(html: str) -> dict[str, list[str]]:
    """Group title → linked detail URLs of its hits."""
    groups = re.findall(r'data-entity="(\w+)"(.*?)</section>', html, re.S)
    return {
        entity: re.findall(r'<a class="fw-semibold[^"]*" href="([^"]+)"', body)
        for entity, body in groups
    }


def test_page_links_each_hit_to_its_detail_and_shows_the_field(admin_client, findable) -> None:
    response = admin_client.get("/search/", {"q": "zephyr"})
    html = response.content.decode()
    assert hits(html) == {
        "engine_registry": [f"/engines/{findable['engine']['id']}/"],
        "available_model_registry": [
            f"/catalog/{findable[key]['id']}/" for key in ("family", "tags", "catalog_url")
        ],
        "model_registry": [f"/models/{findable[key]['id']}/" for key in ("path", "model_url")],
    }
    assert 'data-field="model_path">Path: /srv/models/<mark>zephyr</mark>-q4.gguf' in html
    assert 'data-field="family">Family: <mark>Zephyr</mark>-Family' in html


def test_page_links_to_the_full_list_when_a_group_is_cut(admin_client, db) -> None:
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"qwen-{index}", label="q") for index in range(8)
    )
    html = admin_client.get("/search/", {"q": "QWEN"}).content.decode()
    assert html.count('data-testid="search-hit"') == 5
    assert 'href="/catalog/?q=QWEN" data-testid="show-all">Show all 8 catalog' in html
    listed = admin_client.get("/catalog/?q=QWEN").content.decode()
    assert 'data-testid="total-rows">8<' in listed


def test_page_shows_only_what_the_user_may_view(login, make_user, findable) -> None:
    client = login(make_user("engines-only", "inventory.view_engine"))
    html = client.get("/search/", {"q": "zephyr"}).content.decode()
    assert list(hits(html)) == ["engine_registry"]


def test_page_refuses_bad_text_with_a_message(admin_client, db) -> None:
    response = admin_client.get("/search/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert 'data-testid="search-error"' in response.content.decode()


def test_page_and_navigation_need_a_login(admin_client, db) -> None:
    assert Client().get("/search/", {"q": "x"}).status_code == 302
    html = admin_client.get("/engines/").content.decode()
    assert 'data-global-search aria-keyshortcuts="/"' in html


def test_page_queries_do_not_grow_with_the_rows(admin_client, engine, findable) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/search/", {"q": "zephyr"}).status_code == 200
        return len(queries)

    few = count()
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"zephyr-{index}", label="z") for index in range(200)
    )
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"zephyr-reg-{index}", engine_id=engine["id"]) for index in range(200)
    )
    assert count() == few


def test_api_answers_as_the_function_does(admin_client, findable) -> None:
    response = admin_client.get("/api/v1/search/", {"q": "zephyr", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    result = search("zephyr", 2)
    assert body["q"] == "zephyr" and body["limit"] == 2
    assert [(g["entity"], g["total"], [h["id"] for h in g["hits"]]) for g in body["groups"]] == [
        (group.entity, group.total, [hit.id for hit in group.hits]) for group in result.groups
    ]
    assert body["groups"][2]["hits"][0] == {
        "id": findable["path"]["id"],
        "name": "reg-one",
        "field": "model_path",
        "label": "Path",
        "value": "/srv/models/zephyr-q4.gguf",
    }


def test_api_entity_parameter_permissions_and_errors(
    admin_client, login, make_user, findable
) -> None:
    only = admin_client.get("/api/v1/search/?q=zephyr&entity=engine_registry&entity=model_registry")
    assert [group["entity"] for group in only.json()["groups"]] == [
        "engine_registry",
        "model_registry",
    ]
    refused = admin_client.get("/api/v1/search/", {"q": "x", "sort": "name"})
    assert refused.status_code == 400 and "sort" in refused.json()["detail"]
    bad = admin_client.get("/api/v1/search/", {"q": "x", "limit": "lots"})
    assert bad.status_code == 400 and "limit" in bad.json()["errors"]
    unknown = admin_client.get("/api/v1/search/", {"q": "x", "entity": "nope"})
    assert unknown.status_code == 400 and "entities" in unknown.json()["errors"]
    assert Client().get("/api/v1/search/", {"q": "x"}).status_code in (401, 403)
    reader = login(make_user("models-only", "inventory.view_registeredmodel"))
    groups = reader.get("/api/v1/search/", {"q": "zephyr"}).json()["groups"]
    assert [group["entity"] for group in groups] == ["model_registry"]


def test_sdk_search_is_the_same_function(findable) -> None:
    assert module_sdk.search("zephyr", limit=1) == {
        "q": "zephyr",
        "limit": 1,
        "groups": [
            {
                "entity": group.entity,
                "total": group.total,
                "capped": group.capped,
                "hits": [vars(hit) for hit in group.hits],
            }
            for group in search("zephyr", 1).groups
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_http_client_search_matches_the_sdk(live_server, admin_user, findable) -> None:
    client = RegistryClient(live_server.url, ApiToken.issue(admin_user, "tests")[1])
    try:
        found = client.search("ZEPHYR", limit=2, entities=["available_model_registry"])
        with pytest.raises(RegistryValidationError) as caught:
            client.search("x", limit="lots")
    finally:
        client.close()
    assert found == module_sdk.search("ZEPHYR", 2, ["available_model_registry"])
    assert "limit" in caught.value.errors
