"""PostgreSQL: keyset pages filtered by status or engine, and the inventory export's chunks,
are index range scans in the index's order (no sort of the matching rows)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from inventory.declarations import REGISTERED_MODELS
from inventory.keyset import Keyset
from inventory.listing import ListRequest
from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.workflows.transfer.export import chunk_query

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

RARE_EVERY = 50  # one row in 50 has the rare status and the other engine


@pytest.fixture
def many(engine, other_engine) -> None:
    RegisteredModel.objects.bulk_create(
        RegisteredModel(
            name=f"model-{index:05d}",
            engine_id=other_engine["id"] if index % RARE_EVERY == 0 else engine["id"],
            status="downloading" if index % RARE_EVERY == 0 else "available",
        )
        for index in range(3000)
    )
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"catalog-{index:05d}") for index in range(3000)
    )
    Engine.objects.bulk_create(Engine(name=f"engine-{index:05d}") for index in range(3000))
    with connection.cursor() as cursor:
        for table in ("model_registry", "available_model_registry", "engine_registry"):
            cursor.execute(f"ANALYZE {table}")


def plan(queryset: Any) -> str:
    """The plan without sequential or bitmap scans and with sorts made costly: an index that
    serves the query in its order shows (this table is too small for the planner to care)."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
    return queryset.explain()


@pytest.mark.parametrize(
    "filters, index",
    [
        ({"status": "downloading"}, "model_reg_status_caps_idx"),
        ({"engine_id": "ENGINE"}, "model_reg_engine_id_idx"),
    ],
)
def test_a_filtered_keyset_page_is_an_index_range_scan(many, other_engine, filters, index):
    filters = {k: other_engine["id"] if v == "ENGINE" else v for k, v in filters.items()}
    keyset = Keyset(ListRequest.build(REGISTERED_MODELS, filters))
    last_id = RegisteredModel.objects.order_by("id").values_list("id", flat=True)[1500]
    page = keyset.ordered().filter(keyset.after(None, last_id)).values("id")[:200]
    found = plan(page)
    assert index in found, found
    assert "Sort" not in found, found


@pytest.mark.parametrize(
    "model, index",
    [
        (RegisteredModel, "model_registry_name_c_idx"),
        (AvailableModel, "available_model_registry_name_c_idx"),
        (Engine, "engine_registry_name_c_idx"),
    ],
)
def test_export_chunks_read_the_name_index_in_order(many, model, index):
    for last in (None, "model-01000"):
        found = plan(chunk_query(model.objects.all(), ["id"], last))
        assert index in found, found
        assert "Sort" not in found, found
