"""Registered-model counts read from the trigger-kept summary: which filters it answers, and
that its answer is ``COUNT(*)`` after any sequence of writes through any path (SDK, bulk
services, ``QuerySet.update()``, ``bulk_create``, raw SQL, deletes)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.bulk import BulkRefusedError
from inventory.counts import EngineNeeds, engine_needs, summary_count, summary_key
from inventory.declarations import REGISTERED_MODELS
from inventory.listing import ListRequest
from inventory.models import Engine, RegisteredModel
from inventory.sdk import module_sdk

STATUSES = ("available", "active", "downloading", "error", "disabled")
CAPABILITIES = ("", "chat", "embedding", "chat,tool_calling", "embedding,reranking", "audio,stt")


def filtered(filters: dict[str, Any]) -> Any:
    return ListRequest.build(REGISTERED_MODELS, filters).filtered()


def covered_filters(engine_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {},
        {"status": "active"},
        {"status": ["active", "error"]},
        {"capabilities": "chat"},
        {"capabilities": "embedding"},
        {"status": "downloading", "capabilities": "embedding"},
        {"engine_id": engine_ids[0]},
        {"engine_id": engine_ids, "status": "error"},
        {"engine_id": engine_ids[1], "capabilities": "tool_calling", "status": "available"},
    ]


def extra_config(capabilities: str) -> dict[str, Any]:
    """A valid ``extra_config`` for the capabilities (embedding models need a ``dim``)."""
    return {"dim": 8} if "embedding" in capabilities else {}


def count_star(queryset: Any) -> int:
    """``COUNT(*)`` of the queryset's own SQL on the bare cursor (no summary involved)."""
    sql, params = queryset.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
        return cursor.fetchone()[0]


def needs_from_rows() -> dict[int, EngineNeeds]:
    """Each engine's models and needs added up from the rows themselves."""
    active = Q(status="active")
    rows = (
        RegisteredModel.objects.order_by()
        .values("engine_id")
        .annotate(
            models=Count("id"),
            vram_all=Sum("vram_required_mb"),
            ram_all=Sum("ram_required_mb"),
            vram_active=Coalesce(Sum("vram_required_mb", filter=active), 0),
            ram_active=Coalesce(Sum("ram_required_mb", filter=active), 0),
        )
    )
    return {row.pop("engine_id"): EngineNeeds(**row) for row in rows}


def assert_exact(engine_ids: list[int]) -> None:
    for filters in covered_filters(engine_ids):
        queryset = filtered(filters)
        assert summary_key(queryset) is not None, filters
        expected = count_star(queryset)
        assert summary_count(queryset) == expected, filters
        assert module_sdk.models.model_registry.count(filters) == expected, filters
    assert engine_needs() == needs_from_rows()


@pytest.fixture
def engines(db) -> list[int]:
    return [
        Engine.objects.create(name=f"counted-{index}", provider="ollama").pk for index in range(3)
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "active"},
        {"capabilities": "chat"},
        {"status": ["active", "error"], "capabilities": "embedding"},
        {"engine_id": "ENGINE"},
        {"engine_id": ["ENGINE"], "status": "active", "capabilities": "chat"},
        {},
    ],
)
def test_covered_counts_read_the_summary_not_the_table(engines, filters):
    filters = {
        key: ([engines[0]] if value == ["ENGINE"] else engines[0] if value == "ENGINE" else value)
        for key, value in filters.items()
    }
    RegisteredModel.objects.create(
        name="m", engine_id=engines[0], status="active", capabilities="chat,embedding"
    )
    with CaptureQueriesContext(connection) as queries:
        total = module_sdk.models.model_registry.list(filters=filters)["total_rows"]
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counting == [], counting
    assert any("model_registry_counts" in q["sql"] for q in queries)
    assert total == count_star(filtered(filters))


@pytest.mark.parametrize(
    "filters",
    [
        {"name": "m"},
        {"capabilities": "chat,embedding"},
        {"engine_status": "active"},
        {"is_downloaded": 1},
        {"status": "active", "q": "m"},
    ],
)
def test_other_filters_are_counted(engines, filters):
    assert summary_key(filtered(filters)) is None


def test_page_querysets_read_the_summary_through_their_joins(engines):
    """A list page reads its references' names (and sorts by them) through joins along
    foreign keys: they neither drop nor repeat rows, so the summary still counts."""
    from inventory.web.entities import BY_SLUG

    inventory = BY_SLUG["models"]
    RegisteredModel.objects.create(name="m", engine_id=engines[0], status="active")
    RegisteredModel.objects.create(name="n", engine_id=engines[1], status="error")
    shown = ["name", "engine_id", "available_model_id", "engine_status", "status"]
    for filters in ({}, {"status": "active"}, {"engine_id": engines[1]}):
        queryset = ListRequest.build(REGISTERED_MODELS, filters).filtered(
            inventory.table_queryset(shown)
        )
        queryset = REGISTERED_MODELS.order_by(queryset, {"field": "engine_id", "direction": "asc"})
        assert summary_key(queryset) is not None, filters
        assert summary_count(queryset) == count_star(queryset) == queryset.count(), filters


def test_statuses_are_summed_from_the_summary(engines):
    from django.db.models import Count

    for index, status in enumerate(["active", "active", "error", "disabled"]):
        RegisteredModel.objects.create(
            name=f"m{index}", engine_id=engines[index % 2], status=status, capabilities="chat"
        )
    RegisteredModel.objects.filter(name="m3").update(status="active")
    grouped = dict(
        RegisteredModel.objects.order_by().values_list("status").annotate(n=Count("pk"))
    )
    with CaptureQueriesContext(connection) as queries:
        assert RegisteredModel.objects.count_by_status() == grouped == {"active": 3, "error": 1}
    assert "model_registry_counts" in queries[0]["sql"]
    narrowed = RegisteredModel.objects.filter(engine_id=engines[0])
    assert narrowed.count_by_status() == {"active": 1, "error": 1}


def test_needs_follow_every_change_of_a_size(engines):
    """Each engine's needs follow a change of a size alone, whichever path makes it."""
    RegisteredModel.objects.create(
        name="m", engine_id=engines[0], status="active", vram_required_mb=1024
    )
    RegisteredModel.objects.create(name="n", engine_id=engines[1], ram_required_mb=512)
    assert engine_needs() == needs_from_rows()
    RegisteredModel.objects.filter(name="m").update(vram_required_mb=4096)
    assert engine_needs()[engines[0]].vram_active == 4096
    with connection.cursor() as cursor:
        cursor.execute("UPDATE model_registry SET ram_required_mb = 2048 WHERE name = 'n'")
    assert engine_needs()[engines[1]].ram_all == 2048
    RegisteredModel.objects.filter(name="m").update(engine_id=engines[1], status="error")
    assert engine_needs() == needs_from_rows()
    assert engines[0] not in engine_needs()
    RegisteredModel.objects.all().delete()
    assert engine_needs() == {}


def test_joins_that_may_repeat_rows_are_counted(engines):
    from django.db.models import F

    queryset = Engine.objects.annotate(model=F("registered_models__name"))
    assert summary_key(queryset) is None


def test_summary_rows_follow_the_capability_tokens(engines):
    """One row per engine and status (``''``) and per distinct token, duplicates counted once."""
    RegisteredModel.objects.create(
        name="m", engine_id=engines[0], status="active", capabilities="chat,embedding"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE model_registry SET capabilities = 'chat,chat,,x\"y'")
        cursor.execute(
            "SELECT capability, SUM(n) FROM model_registry_counts GROUP BY capability "
            "HAVING SUM(n) <> 0 ORDER BY capability"
        )
        assert cursor.fetchall() == [("", 1), ("chat", 1), ('x"y', 1)]


def test_empty_lists_and_contradictions_count_nothing(engines):
    RegisteredModel.objects.create(name="m", engine_id=engines[0], status="active")
    queryset = RegisteredModel.objects.filter(status="active").filter(status="error")
    assert summary_count(queryset) == 0 == count_star(queryset)
    assert RegisteredModel.objects.filter(engine_id__in=[]).count() == 0


def test_related_manager_counts_use_the_summary(engines):
    RegisteredModel.objects.create(name="m", engine_id=engines[0])
    engine = Engine.objects.get(pk=engines[0])
    assert summary_key(engine.registered_models.all()) is not None
    assert engine.registered_models.count() == 1


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["sdk", "bulk_create", "update", "bulk_move", "raw", "delete"]),
        st.integers(0, 2),
        st.sampled_from(STATUSES),
        st.sampled_from(CAPABILITIES),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_summary_equals_count_star_after_any_writes(engines, operations):
    """Property: whatever writes run, through whichever path, every covered count is exact,
    and so is what each engine's models need."""
    models = module_sdk.models.model_registry
    for step, (kind, engine, status, capabilities, size) in enumerate(operations):
        engine_id = engines[engine]
        rows = RegisteredModel.objects.order_by("id")
        if kind == "sdk":
            models.create(
                {
                    "name": f"s{step}-{RegisteredModel.objects.count()}",
                    "engine_id": engine_id,
                    "status": status if status != "active" else "available",
                    "capabilities": capabilities,
                    "extra_config": extra_config(capabilities),
                }
            )
        elif kind == "bulk_create":
            first = RegisteredModel.objects.order_by("-id").values_list("id", flat=True).first()
            RegisteredModel.objects.bulk_create(
                RegisteredModel(
                    name=f"b{first or 0}-{index}",
                    engine_id=engine_id,
                    status=status,
                    capabilities=capabilities,
                    extra_config=extra_config(capabilities),
                    vram_required_mb=1024 * index,
                    ram_required_mb=size,
                )
                for index in range(size)
            )
        elif kind == "update":
            ids = list(rows.values_list("id", flat=True)[:size])
            RegisteredModel.objects.filter(id__in=ids).update(
                status=status,
                capabilities=capabilities,
                extra_config=extra_config(capabilities),
                vram_required_mb=512 * size,
            )
        elif kind == "bulk_move":
            ids = list(rows.values_list("id", flat=True)[:size])
            with contextlib.suppress(BulkRefusedError):  # a refused move changes nothing
                if ids:
                    models.select(ids=ids).move_to_engine(engine_id, allow_over_capacity=True)
        elif kind == "raw":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE model_registry SET engine_id = %s, status = %s, ram_required_mb = %s"
                    " WHERE id %% 3 = %s",
                    [engine_id, status, 100 * size, size % 3],
                )
        else:
            ids = list(rows.values_list("id", flat=True)[:size])
            RegisteredModel.objects.filter(id__in=ids).delete()
        assert_exact(engines)
    RegisteredModel.objects.all().delete()
    assert_exact(engines)


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_the_counts_exact(engines):
    """``manage.py flush`` (and every transactional test's teardown) empties the table with
    ``TRUNCATE`` or ``DELETE``; either way no count is left behind."""
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"m{index}", engine_id=engines[0], capabilities="chat")
        for index in range(3)
    )
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM model_registry_counts WHERE n <> 0")
        assert cursor.fetchone()[0] == 0
    assert filtered({"capabilities": "chat"}).count() == 0
