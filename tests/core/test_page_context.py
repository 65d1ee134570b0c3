"""What the active models of an engine need is read once per page, for the engines on the
page (one grouped query), not once per row: the same queries whatever the page size and
however many engines the page shows, in the SDK and the API, with the values the capacity
rules compute."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from inventory import capacity
from inventory.models import Engine, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

GB = 1024
ENGINES = 20
ROWS = 400


@pytest.fixture
def spread(db) -> list[int]:
    """Engines with and without a declared capacity, some beyond it, and their models
    (inserted without validation, so that several engines are over capacity)."""
    engines = Engine.objects.bulk_create(
        Engine(
            name=f"gpu-{index:02d}",
            provider="vllm",
            vram_total_mb=(8 + index) * GB if index % 2 else None,
            ram_total_mb=16 * GB if index % 3 == 0 else None,
        )
        for index in range(ENGINES)
    )
    RegisteredModel.objects.bulk_create(
        RegisteredModel(
            name=f"model-{index:04d}",
            engine=engines[index % ENGINES],
            status="active" if index % 4 else "available",
            vram_required_mb=(index % 7) * GB,
            ram_required_mb=(index % 5) * GB,
            model_path=f"models/{index}/model.gguf",
        )
        for index in range(ROWS)
    )
    return [engine.pk for engine in engines]


def _captured(call: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def _page_queries(sqls: list[str]) -> None:
    """Count, rows and one grouped query; the rows query (the ordered one) sums nothing."""
    assert len(sqls) == 3, sqls
    assert sum("GROUP BY" in sql.upper() for sql in sqls) == 1, sqls
    rows = [sql for sql in sqls if "ORDER BY" in sql.upper()]
    assert len(rows) == 1 and "SUM(" not in rows[0].upper(), sqls


@pytest.mark.parametrize("page_size", [1, 25, 200])
@pytest.mark.parametrize("engines_on_page", [1, 2, ENGINES])
def test_registered_page_reads_needs_once(spread, page_size, engines_on_page):
    filters = {"engine_id": spread[:engines_on_page] if engines_on_page > 1 else spread[1]}
    resource = module_sdk.models.model_registry
    sqls = _captured(lambda: resource.list(filters=filters, page_size=page_size))
    _page_queries(sqls)
    listing = resource.list(filters=filters, page_size=page_size)
    assert len(listing["rows"]) == min(page_size, ROWS // ENGINES * engines_on_page)
    assert len({row["engine_id"] for row in listing["rows"]}) == min(page_size, engines_on_page)


@pytest.mark.parametrize("page_size", [1, ENGINES])
def test_engine_page_reads_needs_once(spread, page_size):
    sqls = _captured(lambda: module_sdk.models.engine_registry.list(page_size=page_size))
    _page_queries(sqls)


def test_api_queries_do_not_grow_with_page_or_engines(spread, admin_client):
    counts = set()
    for page_size, engines in ((1, spread[:1]), (200, spread)):
        query = "&".join(f"engine_id={pk}" for pk in engines)
        url = f"/api/v1/model-registry/?page_size={page_size}&{query}"
        sqls = _captured(lambda url=url: admin_client.get(url))
        assert sum("GROUP BY" in sql.upper() for sql in sqls) == 1
        counts.add(len(sqls))
    assert len(counts) == 1


def test_a_page_without_declared_capacity_reads_no_needs(spread, django_assert_num_queries):
    undeclared = [spread[2], spread[4]]
    assert not Engine.objects.filter(pk__in=undeclared, vram_total_mb__isnull=False).exists()
    assert not Engine.objects.filter(pk__in=undeclared, ram_total_mb__isnull=False).exists()
    with django_assert_num_queries(2):
        rows = module_sdk.models.model_registry.list(filters={"engine_id": undeclared})["rows"]
    assert rows and all(row["over_capacity"] is False for row in rows)


def _needs() -> dict[int, tuple[int, int]]:
    """What each engine's active models need, summed per engine on its own."""
    result = {}
    for engine in Engine.objects.all():
        sums = RegisteredModel.objects.filter(engine=engine, status="active").aggregate(
            vram=Sum("vram_required_mb"), ram=Sum("ram_required_mb")
        )
        result[engine.pk] = (sums["vram"] or 0, sums["ram"] or 0)
    return result


def test_values_match_the_capacity_rules(spread):
    needs = _needs()
    over = set(capacity.over_capacity_engines().values_list("pk", flat=True))
    assert over and over != set(spread)
    engines = module_sdk.models.engine_registry.all()["rows"]
    for row in engines:
        assert (row["vram_used_mb"], row["ram_used_mb"]) == needs[row["id"]]
        assert row["over_capacity"] is (row["id"] in over)
    rows = module_sdk.models.model_registry.list(page_size=200)["rows"]
    by_id = {engine.pk: engine for engine in Engine.objects.all()}
    for row in rows:
        engine = by_id[row["engine_id"]]
        assert row["over_capacity"] is (engine.pk in over)
        said = [text for text in row["warnings"] if "over capacity" in text]
        if row["status"] == "active" and engine.pk in over:
            vram, _ram = needs[engine.pk]
            assert said and (
                engine.vram_total_mb is None or capacity.humanize_mb(vram) in said[0]
            ), said
        else:
            assert not said
