"""The number of SQL queries per list request does not grow with the page size.

A page is its count and its rows; engine rows add one grouped query for what the active
models of the engines on the page need (registered rows add it only when an engine on the
page declares a capacity, see ``tests/core/test_page_context.py``)."""

from __future__ import annotations

import pytest

from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

ROWS = 230


@pytest.fixture
def many(engine, other_engine, catalog_model) -> None:
    """More rows than the largest page, with links, capabilities and extra_config set."""
    RegisteredModel.objects.bulk_create(
        RegisteredModel(
            name=f"model-{index:04d}",
            engine_id=engine["id"] if index % 2 else other_engine["id"],
            available_model_id=catalog_model["id"] if index % 3 == 0 else None,
            capabilities="chat,embedding" if index % 2 else "embedding",
            extra_config={"dim": 256},
            model_path=f"models/{index}/model.gguf",
        )
        for index in range(ROWS)
    )
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"catalog-{index:04d}", label=f"Catalog {index}", capabilities="chat")
        for index in range(ROWS)
    )
    Engine.objects.bulk_create(
        Engine(name=f"engine-{index:04d}", provider="ollama") for index in range(ROWS)
    )


FILTERS = [
    None,
    {"capabilities": "embed", "name": "model", "is_downloaded": 0},
    {"engine_id": 1, "status": "available", "q": "models/"},
]


@pytest.mark.parametrize("page_size", [1, 25, 200])
@pytest.mark.parametrize("filters", FILTERS)
def test_list_runs_at_most_two_queries(many, django_assert_max_num_queries, page_size, filters):
    with django_assert_max_num_queries(2):
        listing = module_sdk.models.model_registry.list(
            page=0, page_size=page_size, filters=filters, sort="-name"
        )
    if filters is None:
        assert len(listing["rows"]) == page_size
        assert listing["total_rows"] == ROWS


#: Queries of one page (count, rows, page context) and of one row (row, page context).
PAGE_QUERIES = {"engine_registry": 3, "available_model_registry": 2, "model_registry": 2}
ROW_QUERIES = {"engine_registry": 2, "available_model_registry": 1, "model_registry": 1}


@pytest.mark.parametrize("name", ["engine_registry", "available_model_registry"])
@pytest.mark.parametrize("page_size", [1, 200])
def test_other_entities_list_in_constant_queries(many, django_assert_num_queries, name, page_size):
    with django_assert_num_queries(PAGE_QUERIES[name]):
        listing = module_sdk.models[name].list(page_size=page_size)
    assert len(listing["rows"]) == page_size


def test_deep_page_in_two_queries(many, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        listing = module_sdk.models.model_registry.list(page=1, page_size=200)
    assert len(listing["rows"]) == ROWS - 200


@pytest.mark.parametrize("name", ["engine_registry", "available_model_registry", "model_registry"])
def test_view_and_count_in_one_query(many, django_assert_num_queries, name):
    resource = module_sdk.models[name]
    row_id = resource.list(page_size=1)["rows"][0]["id"]
    with django_assert_num_queries(ROW_QUERIES[name]):
        assert resource.view(row_id)["id"] == row_id
    with django_assert_num_queries(1):
        assert resource.count() >= ROWS
    with django_assert_num_queries(1):
        resource.count({"name": "0", "id": [row_id, row_id + 1]})


def test_all_does_not_query_per_row(many, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = module_sdk.models.model_registry.all(filters={"capabilities": "embedding"})["rows"]
    assert len(rows) == ROWS
