"""List pages and counts run from SQL compiled once per request shape
(``inventory.list_statements``): the same rows, counts and queries as Django's own
compilation, on SQLite and PostgreSQL, with the page query compiled once per shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from inventory import list_statements
from inventory.declarations import DECLARATIONS
from inventory.listing import ListRequest, envelope
from inventory.models import RegisteredModel
from tests.core.test_query_counts import many  # noqa: F401  (the rows of every entity)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("many")]


@pytest.fixture(autouse=True)
def fresh_statements():
    list_statements.STATEMENTS.clear()
    yield
    list_statements.STATEMENTS.clear()


def django_envelope(request: ListRequest, page: int, size: int) -> dict[str, Any]:
    """The envelope as Django compiles it: ``QuerySet.count`` and ``list(values)``."""
    declaration = request.declaration
    start = page * size
    values = request.ordered(declaration.values_queryset())[start : start + size]
    return {
        "rows": declaration.serialize_page(list(values)),
        "total_rows": QuerySet.count(request.filtered()),
    }


CASES = [
    ("model_registry", {"name": "model-01"}, None, 0, 5),
    ("model_registry", {"name": "model-02"}, "-name", 1, 3),
    ("model_registry", {"status": "available", "capabilities": "chat"}, "name", 0, 200),
    ("model_registry", {"engine_id": "ENGINE", "q": "models/1"}, "-id", 0, 7),
    ("model_registry", {"engine": "vllm-test"}, None, 0, 25),
    ("model_registry", {}, "name", 2, 25),
    ("model_registry", {"id": []}, None, 0, 25),
    ("engine_registry", {"name": "engine-0"}, "-name", 0, 4),
    ("engine_registry", {"provider": "ollama"}, None, 1, 10),
    ("available_model_registry", {"name": "catalog-00"}, None, 0, 200),
    ("available_model_registry", {"q": "Catalog 1"}, "-name", 1, 5),
]


@pytest.mark.parametrize(("entity", "filters", "sort", "page", "size"), CASES)
def test_pages_and_counts_match_djangos_for_every_request_of_a_shape(
    engine, entity, filters, sort, page, size
):
    declaration = DECLARATIONS[entity]
    filters = {k: engine["id"] if v == "ENGINE" else v for k, v in filters.items()}
    request = ListRequest.build(declaration, filters, sort)
    expected = django_envelope(request, page, size)
    # The first request compiles the shape, the next ones run its kept statement; another
    # value of the same filters is the same shape.
    for _ in range(3):
        found = envelope(request, page, size)
        assert found["rows"] == expected["rows"]
        assert found["total_rows"] == expected["total_rows"]
    if filters.get("name"):
        other = ListRequest.build(declaration, {**filters, "name": filters["name"][:-1]}, sort)
        found = envelope(other, page, size)
        assert found["rows"] == django_envelope(other, page, size)["rows"]
        assert found["total_rows"] == django_envelope(other, page, size)["total_rows"]


def test_a_kept_shape_runs_djangos_sql_without_compiling_the_page(monkeypatch):
    declaration = DECLARATIONS["model_registry"]
    request = ListRequest.build(declaration, {"name": "model-0"}, "-name")
    with CaptureQueriesContext(connection) as first:
        envelope(request, 1, 4)
    compiled: list[Any] = []
    original = SQLCompiler.as_sql

    def as_sql(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    with CaptureQueriesContext(connection) as later:
        envelope(request, 1, 4)
    # Same statements, same parameters; the count and the page were not compiled again
    # (only the page context's own query, when the page needs one, is).
    assert [query["sql"] for query in later.captured_queries] == [
        query["sql"] for query in first.captured_queries
    ]
    assert RegisteredModel not in compiled


def test_a_condition_that_matches_nothing_runs_no_query(django_assert_num_queries):
    request = ListRequest.build(DECLARATIONS["model_registry"], {"id": []})
    envelope(request, 0, 25)
    with django_assert_num_queries(0):
        found = envelope(request, 0, 25)
    assert found["rows"] == [] and found["total_rows"] == 0
    # Nothing was learned of the shape: the next request of it, with ids, keeps its SQL.
    assert not list_statements.STATEMENTS._found
    ids = list(RegisteredModel.objects.order_by("id").values_list("id", flat=True)[:3])
    # (A full page of two, so the count runs too.)
    found = envelope(ListRequest.build(DECLARATIONS["model_registry"], {"id": ids}), 0, 2)
    assert [row["id"] for row in found["rows"]] == ids[:2] and found["total_rows"] == 3
    kept = [statement for _, statement in list_statements.STATEMENTS._found.values()]
    assert len(kept) == 2 and None not in kept


def test_sql_is_cut_around_its_condition_only_when_unambiguous():
    where = ('"t"."a" = %s', [1])
    sql = 'SELECT "t"."a", %s AS "b" FROM "t" WHERE "t"."a" = %s ORDER BY "t"."c" LIMIT 5'
    parts = list_statements._split(sql, ["x", 1], where, "LIMIT 5")
    assert parts == ('SELECT "t"."a", %s AS "b" FROM "t"', ("x",), ' ORDER BY "t"."c"', ())
    statement = list_statements.Statement(*parts, where=True)
    assert statement.sql(where, "LIMIT 5") == (sql, ["x", 1])
    assert statement.sql(('"t"."a" = %s', [2]), "LIMIT 5 OFFSET 5")[1] == ["x", 2]
    # The condition twice (here also in an ORDER BY subquery): no cut, the shape is compiled
    # whole; so too when the parameters around it do not line up, or the limit differs.
    twice = sql.replace('ORDER BY "t"."c"', 'ORDER BY (SELECT 1 FROM "u" WHERE "t"."a" = %s)')
    assert list_statements._split(twice, ["x", 1, 1], where, "LIMIT 5") is None
    assert list_statements._split(sql, ["x", 2], where, "LIMIT 5") is None
    assert list_statements._split(sql, ["x", 1], where, "LIMIT 6") is None
