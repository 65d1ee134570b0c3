"""List pages read the page before counting, as the SDK and the API do: a page that is not
full gives the exact total by itself; a full page, or one past the end, is counted; where a
maintained summary gives the count, it comes first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from inventory.models import RegisteredModel
from tests.core.test_query_counts import ROWS, many  # noqa: F401  (the rows of every entity)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("many")]

NAME = "model-01"  # model-0100 … model-0199: no summary covers a name filter
MATCHING = 100


def counts_in(queries: CaptureQueriesContext) -> int:
    return sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def shown(client, query: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/models/?{query}")
    assert response.status_code == 200
    return response.context["table"], queries


@pytest.mark.parametrize(
    ("page_size", "page", "shown_page", "counted"),
    [
        (200, 1, 1, 0),  # the whole result on one page: its rows are the total
        (30, 1, 1, 1),  # a full page is counted
        (30, 3, 3, 1),
        (30, 4, 4, 0),  # the last page, 10 rows: no count
        (25, 4, 4, 1),  # a last page that is full is counted
        (30, 9, 4, 1),  # past the end: counted, then the last page is shown
    ],
)
def test_a_filtered_page_tells_its_total_unless_full(
    admin_client, page_size, page, shown_page, counted
):
    table, queries = shown(admin_client, f"name={NAME}&page_size={page_size}&page={page}")
    matching = RegisteredModel.objects.filter(name__icontains=NAME)
    assert table.paginator.count == QuerySet.count(matching) == MATCHING
    assert table.page.number == shown_page
    start = (shown_page - 1) * page_size
    expected = list(table.data.data.values_list("pk", flat=True)[start : start + page_size])
    assert [record.pk for record in table.page.object_list.data] == expected
    assert counts_in(queries) == counted


def test_a_page_that_is_not_full_costs_one_query_less(admin_client):
    admin_client.get("/models/")  # session and permission caches
    _, full = shown(admin_client, f"name={NAME}&page_size=25&page=4")
    table, last = shown(admin_client, f"name={NAME}&page_size=30&page=4")
    assert len(table.page.object_list) == 10
    assert len(last.captured_queries) == len(full.captured_queries) - 1


def test_the_summary_counts_first_and_a_page_past_the_end_reads_no_rows(admin_client):
    table, queries = shown(admin_client, "page_size=50&page=99")
    assert table.paginator.count == ROWS
    assert table.page.number == 5
    assert len(table.page.object_list) == ROWS - 4 * 50
    assert counts_in(queries) == 0  # the maintained summary, twice
    page_reads = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "model_registry"' in query["sql"] and "LIMIT" in query["sql"].upper()
    ]
    assert len(page_reads) == 1  # the last page only
