"""The declared changelists render their rows once per column (``inventory.admin_results``)
with exactly the HTML of Django's own ``result_list``: links with the preserved filters,
empty values, booleans, dates, references and capability badges, for editors and viewers."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags import admin_list

from inventory import admin_results
from inventory.models import Engine, RegisteredModel

pytestmark = pytest.mark.django_db

URLS = [
    "/admin/inventory/registeredmodel/",
    "/admin/inventory/registeredmodel/?status__exact=active&o=-2",
    "/admin/inventory/registeredmodel/?q=model",
    "/admin/inventory/engine/",
    "/admin/inventory/engine/?q=vllm&o=-1",
    "/admin/inventory/availablemodel/",
]


@pytest.fixture
def rows(engine, other_engine, catalog_model) -> None:
    Engine.objects.filter(pk=engine["id"]).update(vram_total_mb=4096)
    RegisteredModel.objects.bulk_create(
        RegisteredModel(
            name=f"model-{index:03d}<&>",
            engine_id=engine["id"] if index % 2 else other_engine["id"],
            available_model_id=catalog_model["id"] if index % 3 == 0 else None,
            capabilities=["chat,embedding", "embedding", ""][index % 3],
            model_path=f"models/{index}/model.gguf",
            status=["active", "available", "error"][index % 3],
            is_downloaded=bool(index % 2),
            vram_required_mb=index * 512,
        )
        for index in range(30)
    )


def _html(context: dict) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in context["results"]]


@pytest.mark.parametrize("url", URLS)
def test_rows_are_djangos_rows(rows, admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "admin/inventory/declared_change_list.html" in [t.name for t in response.templates]
    cl = response.context["cl"]
    ours = admin_results.result_list(cl)
    django = admin_list.result_list(cl)
    assert _html(ours) and _html(ours) == _html(django)
    assert ours["result_headers"] == django["result_headers"]
    assert ours["num_sorted_fields"] == django["num_sorted_fields"]
    for row in _html(ours)[:3]:
        assert "".join(row) in response.content.decode()


def test_viewer_rows_without_checkboxes(rows, client, viewer):
    client.force_login(viewer)
    response = client.get("/admin/inventory/registeredmodel/?status__exact=error")
    cl = response.context["cl"]
    assert _html(admin_results.result_list(cl)) == _html(admin_list.result_list(cl))
