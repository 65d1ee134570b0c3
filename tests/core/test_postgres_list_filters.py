"""PostgreSQL: the whole-token filters on the catalog's free lists are index scans at 100k
catalog rows (the planner chooses the GIN expression index on its own)."""

from __future__ import annotations

import pytest
from django.db import connection

from inventory.declarations import AVAILABLE_MODELS
from inventory.listing import ListRequest
from inventory.models import AvailableModel

pytestmark = pytest.mark.postgres

ROWS = 100_000
RARE_EVERY = 2_000


@pytest.fixture
def big_catalog(db) -> None:
    AvailableModel.objects.bulk_create(
        (
            AvailableModel(
                name=f"model-{index:06d}",
                label=f"model-{index:06d}",
                tags="rare_tag,common" if index % RARE_EVERY == 0 else "common,bench",
                extended_capabilities=(
                    "pdf_input,streaming" if index % RARE_EVERY == 0 else "streaming"
                ),
                interfaces="openai",
            )
            for index in range(ROWS)
        ),
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE available_model_registry")


CASES = [
    ({"tags": "rare_tag"}, "available_model_registry_tags_gin"),
    ({"extended_capabilities": "pdf_input"}, "available_model_registry_extended_capabilities_gin"),
    ({"tags": "rare_tag,common"}, "available_model_registry_tags_gin"),
]


def test_list_field_filters_are_index_scans(big_catalog):
    """One 100k-row catalog for every case (filling it is the slow part)."""
    for filters, index in CASES:
        queryset = ListRequest.build(AVAILABLE_MODELS, filters).filtered()
        plan = queryset.explain()
        assert f"Index Scan on {index}" in plan, (filters, plan)
        assert "Seq Scan" not in plan, (filters, plan)
        assert queryset.count() == ROWS // RARE_EVERY
