"""The seed's examples, run verbatim through the SDK, return the documented shapes."""

from __future__ import annotations

import pytest

from inventory.sdk import module_sdk

from .assertions import ROW_KEYS

# The seed's examples use engine 3: ids must start at 1, also on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)


@pytest.fixture
def engine_3():
    for index in range(3):
        module_sdk.models.engine_registry.create({"name": f"engine-{index}", "provider": "ollama"})
    return 3


def test_create_example(engine_3):
    created = module_sdk.models.model_registry.create(
        {
            "name": "llama3",
            "engine_id": 3,
            "model_path": "models/llama3/model.gguf",
            "capabilities": ["chat"],
            "status": "available",
        }
    )
    assert list(created) == ROW_KEYS
    assert created["engine_id"] == 3
    assert created["capabilities"] == "chat"
    assert created["is_downloaded"] == 0
    assert created["runtime_methods"] == ["generate_completion", "generate_stream"]


def test_list_example(engine_3):
    module_sdk.models.model_registry.create(
        {"name": "llama3", "engine_id": 3, "status": "available"}
    )
    module_sdk.models.model_registry.create(
        {"name": "other", "engine_id": 1, "status": "available"}
    )
    listing = module_sdk.models.model_registry.list(
        page=0,
        page_size=200,
        filters={"engine_id": 3, "status": "available"},
    )
    assert set(listing) == {"rows", "total_rows", "page", "page_size", "filters", "sort"}
    assert [row["name"] for row in listing["rows"]] == ["llama3"]
    assert listing["total_rows"] == 1
    assert listing["page"] == 0 and listing["page_size"] == 200
    assert listing["filters"] == {"engine_id": 3, "status": "available"}
    assert listing["sort"] == {"field": "id", "direction": "asc"}


def test_update_example(engine_3):
    row_id = module_sdk.models.model_registry.create({"name": "llama3", "engine_id": 3})["id"]
    updated = module_sdk.models.model_registry.update(
        row_id,
        {
            "is_downloaded": 1,
            "status": "available",
            "extra_config": {"source_mode": "artifact"},
        },
    )
    assert updated["is_downloaded"] == 1
    assert updated["extra_config"] == {"source_mode": "artifact"}
    assert updated["name"] == "llama3"


def test_delete_example(engine_3):
    row_id = module_sdk.models.model_registry.create({"name": "llama3", "engine_id": 3})["id"]
    deleted = module_sdk.models.model_registry.delete(row_id)
    assert deleted is True
    assert module_sdk.models.model_registry.delete(row_id) is False
    assert module_sdk.models.model_registry.view(row_id) is None


def test_table_and_filter_models():
    table = module_sdk.models.model_registry.table_model()
    assert {"field", "type", "filterable", "filter_type", "options", "label"} <= set(table[0])
    filters = {entry["field"] for entry in module_sdk.models.model_registry.filters_model()}
    assert {
        "id",
        "name",
        "engine_id",
        "available_model_id",
        "status",
        "is_downloaded",
        "capabilities",
    } <= filters
    assert all(
        {"field", "type"} <= set(entry)
        for entry in module_sdk.models.model_registry.filters_model()
    )


def test_seed_examples_run_verbatim_on_the_demo_inventory():
    from inventory import demo

    demo.load()
    created = module_sdk.models.model_registry.create(
        {
            "name": "llama3",
            "engine_id": 3,
            "model_path": "models/llama3/model.gguf",
            "capabilities": ["chat"],
            "status": "available",
        }
    )
    listing = module_sdk.models.model_registry.list(
        page=0,
        page_size=200,
        filters={"engine_id": 3, "status": "available"},
    )
    assert created in listing["rows"]
    row_id = created["id"]
    updated = module_sdk.models.model_registry.update(
        row_id,
        {
            "is_downloaded": 1,
            "status": "available",
            "extra_config": {"source_mode": "artifact"},
        },
    )
    assert updated["is_downloaded"] == 1
    deleted = module_sdk.models.model_registry.delete(row_id)
    assert deleted is True
