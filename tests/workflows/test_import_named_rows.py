"""An import chunk's look-ups by name find exactly the stored rows named, and on PostgreSQL
probe the name index once per name, even in a table without statistics (the rows an import
has just written): a join would read the whole table for every chunk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import AvailableModel, Engine
from inventory.workflows.transfer.named_rows import ids_by_name, stored_rows

pytestmark = pytest.mark.django_db

ROWS = 5_000


@pytest.fixture
def catalog() -> list[str]:
    names = [f"vendor/model-{index:05d}" for index in range(ROWS)]
    AvailableModel.objects.bulk_create(AvailableModel(name=name, label=name) for name in names)
    return names


def test_the_rows_named_and_only_those(catalog):
    wanted = [catalog[10], catalog[4_000], "vendor/absent", catalog[10], catalog[10].upper()]
    found = list(stored_rows(AvailableModel, wanted))
    assert sorted(row.name for row in found) == [catalog[10], catalog[4_000]]
    stored = AvailableModel.objects.get(name=catalog[10])
    again = next(row for row in found if row.name == catalog[10])
    assert (again.pk, again.label, again.requirements) == (
        stored.pk,
        stored.label,
        stored.requirements,
    )
    assert ids_by_name(AvailableModel, wanted) == {
        catalog[10]: stored.pk,
        catalog[4_000]: AvailableModel.objects.get(name=catalog[4_000]).pk,
    }


def test_no_name_asks_nothing(catalog):
    with CaptureQueriesContext(connection) as queries:
        assert list(stored_rows(AvailableModel, [])) == []
        assert ids_by_name(Engine, []) == {}
    assert len(queries) == 0


@pytest.mark.postgres
def test_each_name_is_one_index_probe_without_statistics(catalog):
    wanted = [f"vendor/new-{index:05d}" for index in range(1_000)] + catalog[:5]
    with CaptureQueriesContext(connection) as queries:
        assert len(list(stored_rows(AvailableModel, wanted))) == 5
        assert len(ids_by_name(AvailableModel, wanted)) == 5
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        assert "Index Scan" in plan, plan
        assert "Seq Scan on available_model_registry" not in plan, plan
