"""Lists without a maintained summary read the page first: a page that is not full gives
the exact total by itself, and only a full page or one past the end is counted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from inventory.declarations import DECLARATIONS
from inventory.listing import ListRequest, envelope
from tests.core.test_query_counts import ROWS, many  # noqa: F401  (the rows of every entity)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("many")]

CASES = [
    ("available_model_registry", {}),
    ("available_model_registry", {"name": "catalog-01"}),
    ("engine_registry", {"name": "engine-02"}),
    ("model_registry", {"name": "model-01"}),  # a name filter: no summary covers it
]


def counts_in(queries: CaptureQueriesContext) -> int:
    return sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


@pytest.mark.parametrize(("entity", "filters"), CASES)
@pytest.mark.parametrize(("page", "page_size"), [(0, 5), (0, 200), (1, 7), (3, 50), (40, 7)])
def test_totals_and_rows_are_the_counted_ones(entity, filters, page, page_size):
    declaration = DECLARATIONS[entity]
    request = ListRequest.build(declaration, filters)
    expected_total = QuerySet.count(request.filtered())
    start = page * page_size
    ordered = request.ordered(declaration.values_queryset())
    expected_ids = [row["id"] for row in ordered[start : start + page_size]]
    with CaptureQueriesContext(connection) as queries:
        found = envelope(request, page, page_size)
    assert found["total_rows"] == expected_total
    assert [row["id"] for row in found["rows"]] == expected_ids
    counted = counts_in(queries)
    if 0 < len(expected_ids) < page_size or (start == 0 and not expected_ids):
        assert counted == 0  # the page told the total
    else:
        assert counted == 1  # a full page, or past the end


def test_a_page_that_is_not_full_costs_one_query_less():
    request = ListRequest.build(DECLARATIONS["available_model_registry"], {})
    with CaptureQueriesContext(connection) as full:
        envelope(request, 0, 50)
    with CaptureQueriesContext(connection) as last:
        found = envelope(request, ROWS // 50, 50)
    assert found["total_rows"] == ROWS + 1  # and the fixture's own catalog row
    assert len(last.captured_queries) == len(full.captured_queries) - 1
