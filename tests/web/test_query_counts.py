"""Each list page costs the same number of SQL queries for a full page of 10 rows as for a
full page of 200 (a page that is not full may cost one less: it tells its total)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.web.entities import INVENTORIES

pytestmark = pytest.mark.django_db


def fill(total: int) -> None:
    """Grow every inventory to ``total`` rows; each registered model has its own engine and
    catalog row, so a missing join would show up as one query per row."""
    start = Engine.objects.count()
    engines = Engine.objects.bulk_create(
        Engine(name=f"engine-{index}", provider="ollama", status="active")
        for index in range(start, total)
    )
    catalog = AvailableModel.objects.bulk_create(
        AvailableModel(name=f"catalog-{index}", label=f"catalog-{index}", capabilities="chat")
        for index in range(start, total)
    )
    RegisteredModel.objects.bulk_create(
        RegisteredModel(
            name=f"model-{engine.pk}",
            engine=engine,
            available_model=entry,
            capabilities="chat,embedding" if engine.pk % 2 else "chat",
            extra_config={"dim": 8} if engine.pk % 2 else {},
            is_downloaded=bool(engine.pk % 3),
        )
        for engine, entry in zip(engines, catalog, strict=True)
    )


def queries_for(client, url: str, page_size: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda item: item.slug)
def test_list_page_queries_do_not_grow_with_rows(admin_client, inventory):
    fill(10)
    admin_client.get(inventory.url("list"))  # session and permission caches
    small = queries_for(admin_client, inventory.url("list"), page_size=10)
    fill(200)
    large = queries_for(admin_client, inventory.url("list"), page_size=200)
    assert inventory.model.objects.count() == 200
    assert large == small
    assert small <= 10


def test_filtered_and_sorted_list_is_constant_too(admin_client):
    fill(10)
    url = "/models/?capabilities=chat&sort=-name&page_size=200"
    admin_client.get(url)
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    fill(200)
    with CaptureQueriesContext(connection) as large:
        page = admin_client.get(url)
    assert len(page.context["table"].page.object_list) == 200
    assert len(large) == len(small)
