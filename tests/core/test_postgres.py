"""PostgreSQL behaviour: races between writers, and the capability filter's GIN index."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from inventory.declarations import AVAILABLE_MODELS, REGISTERED_MODELS
from inventory.listing import ListDeclaration, ListRequest
from inventory.models import AvailableModel, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.postgres

THREADS = 16
models = module_sdk.models.model_registry


def run_together(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run the calls in threads released at the same instant by a barrier.

    Each result is ``("ok", value)``, ``("invalid", RegistryValidationError)`` or
    ``("crash", other exception)``. Every thread closes its own database connection.
    """
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("crash", RuntimeError("thread did not finish"))] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except module_sdk.ValidationError as error:
            results[index] = ("invalid", error)
        except BaseException as error:
            results[index] = ("crash", error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_name_leave_one_row(engine):
    payload = {"name": "llama3", "engine_id": engine["id"], "capabilities": "chat"}
    results = run_together([lambda: models.create(dict(payload))] * THREADS)

    crashes = [value for kind, value in results if kind == "crash"]
    assert crashes == []
    created = [value for kind, value in results if kind == "ok"]
    refused = [value for kind, value in results if kind == "invalid"]
    assert len(created) == 1
    assert len(refused) == THREADS - 1
    for error in refused:
        assert str(error) == 'model name already in use (by "llama3")'
        assert error.errors == {"name": ['model name already in use (by "llama3")']}
    assert RegisteredModel.objects.filter(name="llama3").count() == 1
    assert RegisteredModel.objects.get().pk == created[0]["id"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_catalog_name(db):
    results = run_together(
        [lambda: module_sdk.models.available_model_registry.create({"name": "qwen"})] * THREADS
    )
    kinds = [kind for kind, _ in results]
    assert kinds.count("ok") == 1
    assert kinds.count("invalid") == THREADS - 1
    assert {str(value) for kind, value in results if kind == "invalid"} == {
        'available model name already in use (by "qwen")'
    }
    assert AvailableModel.objects.count() == 1


CHANGES: list[dict[str, Any]] = [
    {"status": "active"},
    {"vram_required_mb": 8192},
    {"ram_required_mb": 2048},
    {"is_downloaded": 1},
    {"model_path": "models/llama3/model.gguf"},
    {"remote_url": "https://example.org/llama3"},
    {"version": "8b-instruct"},
    {"capabilities": "chat,tool_calling"},
    {"extra_config": {"defaults": {"temperature": 0.3}}},
]


@pytest.mark.django_db(transaction=True)
def test_concurrent_partial_updates_lose_nothing(make_model):
    for attempt in range(3):
        row_id = make_model(f"llama3-{attempt}", capabilities="chat")["id"]
        calls = [
            (lambda change=change, row_id=row_id: models.update(row_id, change))
            for change in CHANGES
        ]
        results = run_together(calls)
        assert [kind for kind, _ in results] == ["ok"] * len(CHANGES), results
        stored = models.view(row_id)
        for change in CHANGES:
            for key, value in change.items():
                assert stored[key] == value, (key, stored)


def plan(declaration: ListDeclaration, filters: dict[str, Any]) -> str:
    """The plan with sequential and plain index scans off: a GIN index serves only bitmap
    scans, so if the filter can use one, the plan names it."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {declaration.model._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return ListRequest.build(declaration, filters).filtered().explain()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "declaration, index",
    [
        (REGISTERED_MODELS, "model_registry_capabilities_gin"),
        (AVAILABLE_MODELS, "available_model_registry_capabilities_gin"),
    ],
)
def test_capability_filter_can_use_gin_index(engine, declaration, index):
    if declaration is REGISTERED_MODELS:
        RegisteredModel.objects.bulk_create(
            RegisteredModel(name=f"m{i}", engine_id=engine["id"], capabilities="chat")
            for i in range(200)
        )
    else:
        AvailableModel.objects.bulk_create(
            AvailableModel(name=f"m{i}", capabilities="embedding") for i in range(200)
        )
    text = plan(declaration, {"capabilities": "embedding,reranking"})
    assert f"Bitmap Index Scan on {index}" in text, text


@pytest.mark.django_db
def test_capability_filter_sql_is_array_containment(engine):
    sql = str(ListRequest.build(REGISTERED_MODELS, {"capabilities": "rerank"}).filtered().query)
    assert "string_to_array" in sql and "@>" in sql
    assert "LIKE" not in sql.upper()
