"""Counts stay exact while other connections write: every count the doors report for the
common filters equals ``COUNT(*)`` taken in the same snapshot (PostgreSQL)."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, connections, transaction

from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

FILTERS = (
    ({"status": "active"}, "status = 'active'"),
    ({"capabilities": "embedding"}, "string_to_array(capabilities, ',') @> ARRAY['embedding']"),
    (
        {"status": "error", "capabilities": "chat"},
        "status = 'error' AND string_to_array(capabilities, ',') @> ARRAY['chat']",
    ),
    ({"is_downloaded": 1}, "is_downloaded"),
    ({}, "TRUE"),
)
CAPABILITIES = ("chat", "embedding", "chat,tool_calling", "embedding,reranking")
STATUSES = ("available", "active", "error")


def write_until(stop: threading.Event, engine_id: int, seed: int) -> None:
    """Create, change and delete rows in small transactions until ``stop`` is set."""
    rng = random.Random(seed)
    created: list[int] = []
    try:
        while not stop.is_set():
            with transaction.atomic():
                for _ in range(3):
                    row = RegisteredModel.objects.create(
                        name=f"w{seed}-{rng.random()}",
                        engine_id=engine_id,
                        capabilities=rng.choice(CAPABILITIES),
                        status=rng.choice(STATUSES),
                        is_downloaded=rng.random() < 0.5,
                    )
                    created.append(row.pk)
                if created and rng.random() < 0.5:
                    RegisteredModel.objects.filter(pk=created.pop(0)).delete()
                if created:
                    RegisteredModel.objects.filter(pk=rng.choice(created)).update(
                        status=rng.choice(STATUSES)
                    )
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counts_equal_count_star_under_concurrent_writes(engine):
    stop = threading.Event()
    writers = [
        threading.Thread(target=write_until, args=(stop, engine["id"], seed)) for seed in range(3)
    ]
    for writer in writers:
        writer.start()
    models = module_sdk.models.model_registry
    checked = 0
    try:
        for _ in range(15):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                for filters, where in FILTERS:
                    cursor.execute(f"SELECT COUNT(*) FROM model_registry WHERE {where}")
                    expected = cursor.fetchone()[0]
                    assert models.count(filters) == expected, filters
                    assert models.list(filters=filters)["total_rows"] == expected, filters
                    checked += 1
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert checked == 15 * len(FILTERS)
    assert RegisteredModel.objects.count() > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_status_and_capability_count_can_be_read_from_the_index_alone(engine):
    from inventory.declarations import REGISTERED_MODELS
    from inventory.listing import ListRequest

    queryset = ListRequest.build(
        REGISTERED_MODELS, {"status": "error", "capabilities": "chat"}
    ).filtered()
    # What the count reads: the filtered rows, no column outside the index, no ordering.
    sql, params = queryset.order_by().values("status").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS counted", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using model_reg_status_caps_idx" in plan, plan
