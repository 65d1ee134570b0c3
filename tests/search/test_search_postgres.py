"""PostgreSQL: the quick search ``q`` (and so the global search) is served by trigram indexes
on every searched column of the catalog and of registered models, not by a table scan."""

from __future__ import annotations

import pytest
from django.db import connection

from inventory.declarations import AVAILABLE_MODELS, DECLARATIONS, REGISTERED_MODELS
from inventory.listing import ListRequest
from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.search import search

pytestmark = pytest.mark.postgres

ROWS = 30_000
RARE_EVERY = 3_000


def catalog_row(index: int) -> AvailableModel:
    """A catalog row; one in RARE_EVERY has the rare family."""
    rare = index % RARE_EVERY == 0
    return AvailableModel(
        name=f"model-{index:06d}",
        label=f"model-{index:06d}",
        family="wombat-family" if rare else "common-family",
        tags="alpha,beta",
        storage_ref=f"/store/model-{index:06d}",
        remote_url=f"https://example.org/model-{index:06d}",
    )


@pytest.fixture
def big_tables(db) -> None:
    AvailableModel.objects.bulk_create(map(catalog_row, range(ROWS)), batch_size=5_000)
    engine = Engine.objects.create(name="bench-engine", provider="vllm")
    RegisteredModel.objects.bulk_create(
        (
            RegisteredModel(
                name=f"reg-{index:06d}",
                engine=engine,
                model_path=f"/srv/reg-{index:06d}.gguf",
                remote_url="hf://org/wombat" if index % RARE_EVERY == 0 else "",
            )
            for index in range(ROWS)
        ),
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        # The rows went in inside the test's transaction: move them from the GIN indexes'
        # pending lists into the indexes proper, as autovacuum would, before planning.
        cursor.execute(
            "SELECT gin_clean_pending_list(indexrelid) FROM pg_index "
            "JOIN pg_class ON pg_class.oid = indexrelid WHERE relname LIKE %s",
            ["%_trgm"],
        )
        cursor.execute("ANALYZE available_model_registry")
        cursor.execute("ANALYZE model_registry")


def test_every_searched_column_has_its_trigram_index(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        found = {row[0] for row in cursor.fetchall()}
    for declaration in DECLARATIONS.values():
        table = declaration.model._meta.db_table
        for column in declaration.search.attrs:
            assert f"{table}_{column}_trgm" in found, (table, column)


def test_a_rare_text_is_found_through_the_indexes(big_tables) -> None:
    for declaration in (AVAILABLE_MODELS, REGISTERED_MODELS):
        queryset = ListRequest.build(declaration, {"q": "WOMBAT"}).filtered()
        plan = queryset.explain()
        assert "Bitmap Index Scan" in plan and "_trgm" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert queryset.count() == ROWS // RARE_EVERY
    groups = {group.entity: group for group in search("wombat").groups}
    assert groups["available_model_registry"].total == ROWS // RARE_EVERY
    assert groups["available_model_registry"].hits[0].field == "family"
    assert groups["model_registry"].hits[0].field == "remote_url"
