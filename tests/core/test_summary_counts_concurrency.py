"""The summary counts stay exact while several connections write at once (PostgreSQL): every
covered count equals ``COUNT(*)`` in the same snapshot, no writer deadlocks or waits on a
count row, and the appended changes are folded as they grow."""

from __future__ import annotations

import contextlib
import random
import threading

import pytest
from django.db import connection, connections, transaction

from inventory.bulk import BulkRefusedError
from inventory.counts import engine_needs, summary_count
from inventory.models import Engine, RegisteredModel
from inventory.sdk import module_sdk

from .test_summary_counts import (
    CAPABILITIES,
    STATUSES,
    covered_filters,
    extra_config,
    filtered,
    needs_from_rows,
)

ROUNDS = 120


def write(engine_ids: list[int], seed: int, errors: list[BaseException]) -> None:
    """One writer: creates, moves, edits and deletes its own rows through every write path,
    in transactions of a few statements each."""
    rng = random.Random(seed)
    models = module_sdk.models.model_registry
    mine: list[int] = []
    try:
        for step in range(ROUNDS):
            engine_id = rng.choice(engine_ids)
            status = rng.choice(STATUSES)
            action = rng.randrange(6)
            with transaction.atomic():
                if action == 0 or len(mine) < 4:
                    created = RegisteredModel.objects.bulk_create(
                        RegisteredModel(
                            name=f"w{seed}-{step}-{index}",
                            engine_id=rng.choice(engine_ids),
                            status=rng.choice(STATUSES),
                            capabilities=capabilities,
                            extra_config=extra_config(capabilities),
                        )
                        for index, capabilities in enumerate(
                            rng.choices(CAPABILITIES, k=rng.randint(1, 6))
                        )
                    )
                    mine.extend(row.pk for row in created)
                elif action == 1:
                    row = models.create(
                        {"name": f"w{seed}-{step}-sdk", "engine_id": engine_id, "status": "error"}
                    )
                    mine.append(row["id"])
                elif action == 2:
                    chosen = rng.sample(mine, min(len(mine), 3))
                    with contextlib.suppress(BulkRefusedError):  # refused: nothing changes
                        models.select(ids=chosen).move_to_engine(
                            engine_id, allow_over_capacity=True
                        )
                elif action == 3:
                    capabilities = rng.choice(CAPABILITIES)
                    RegisteredModel.objects.filter(pk__in=rng.sample(mine, 2)).update(
                        status=status,
                        capabilities=capabilities,
                        extra_config=extra_config(capabilities),
                        vram_required_mb=rng.choice([0, 2048, 8192]),
                    )
                elif action == 4:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "UPDATE model_registry SET engine_id = %s, status = %s, "
                            "ram_required_mb = %s WHERE id = ANY(%s)",
                            [engine_id, status, rng.choice([0, 512]), rng.sample(mine, 2)],
                        )
                else:
                    gone = mine[: rng.randint(1, 3)]
                    del mine[: len(gone)]
                    RegisteredModel.objects.filter(pk__in=gone).delete()
    except BaseException as error:  # reported by the test, with the writer's traceback
        errors.append(error)
    finally:
        connections.close_all()


def check(engine_ids: list[int]) -> int:
    """Compare every covered count with ``COUNT(*)`` in one REPEATABLE READ snapshot."""
    checked = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for filters in covered_filters(engine_ids):
            queryset = filtered(filters)
            sql, params = queryset.values("id").query.sql_with_params()
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
            expected = cursor.fetchone()[0]
            assert summary_count(queryset) == expected, filters
            assert module_sdk.models.model_registry.list(filters=filters)["total_rows"] == (
                expected
            ), filters
            checked += 1
        assert engine_needs() == needs_from_rows()
    return checked


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_summary_counts_exact_under_concurrent_writes():
    engine_ids = [
        Engine.objects.create(name=f"busy-{index}", provider="ollama").pk for index in range(3)
    ]
    errors: list[BaseException] = []
    writers = [threading.Thread(target=write, args=(engine_ids, seed, errors)) for seed in range(4)]
    for writer in writers:
        writer.start()
    checked = 0
    while any(writer.is_alive() for writer in writers):
        checked += check(engine_ids)
    for writer in writers:
        writer.join()
    assert errors == []
    checked += check(engine_ids)
    assert checked > len(covered_filters(engine_ids))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(id) FROM model_registry_counts")
        rows, appended = cursor.fetchone()
    assert appended > 1000  # enough changes were appended to need folding…
    assert rows < appended / 2  # …and they were folded


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_truncate_empties_the_summary():
    engine = Engine.objects.create(name="t", provider="ollama")
    RegisteredModel.objects.create(name="m", engine=engine)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE model_registry CASCADE")
    assert RegisteredModel.objects.count() == 0
    assert RegisteredModel.objects.filter(engine=engine).count() == 0
