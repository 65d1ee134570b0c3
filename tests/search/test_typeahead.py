"""The engine and catalog filters of the registered-model list are typeahead boxes fed by the
list API; the request behind them costs the same number of queries at any table size."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import AvailableModel, Engine
from inventory.web.typeahead import OPTIONS_SHOWN

TYPEAHEAD = "/api/v1/available-model-registry/"


def box(html: str, name: str) -> str:
    found = re.findall(rf'<input type="text" name="{name}"[^>]*>', html)
    assert len(found) == 1, found
    return found[0]


def test_filter_form_offers_typeahead_boxes_by_name(admin_client, db) -> None:
    html = admin_client.get("/models/").content.decode()
    engine = box(html, "engine")
    assert 'data-typeahead="/api/v1/engine-registry/"' in engine
    assert 'data-typeahead-hint="provider"' in engine
    assert 'type="text"' in engine
    assert f'data-typeahead="{TYPEAHEAD}"' in box(html, "available_model")
    assert 'name="engine_id"' not in html and 'name="available_model_id"' not in html
    assert "inventory/typeahead.js" in html


def test_a_typed_name_stays_in_the_box_and_an_id_filter_still_shows(
    admin_client, engine, make_model
) -> None:
    make_model("on-it")
    html = admin_client.get("/models/", {"engine": "OLLAMA-test"}).content.decode()
    assert 'value="OLLAMA-test"' in box(html, "engine")
    assert 'data-testid="total-rows">1<' in html
    by_id = admin_client.get("/models/", {"engine_id": engine["id"]}).content.decode()
    assert 'name="engine_id"' in by_id


def typeahead_queries(client, text: str) -> tuple[int, dict]:
    params = {"name": text, "page_size": OPTIONS_SHOWN, "sort": "name"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TYPEAHEAD, params)
    assert response.status_code == 200
    return len(queries), response.json()


def test_typeahead_request_queries_do_not_grow_with_the_catalog(admin_client, db) -> None:
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"seed-{index}", label="x") for index in range(20)
    )
    few, small = typeahead_queries(admin_client, "seed-1")
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"model-{index:05d}", label=f"model-{index:05d}", family="fam")
        for index in range(10_000)
    )
    many, big = typeahead_queries(admin_client, "DEL-0420")
    assert few == many
    assert big["total_rows"] == 10
    assert [row["name"] for row in big["rows"]] == [f"model-0420{digit}" for digit in range(10)]
    assert small["total_rows"] == 11


def test_engine_typeahead_queries_do_not_grow_with_the_engines(admin_client, db) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get("/api/v1/engine-registry/", {"name": "box-1", "page_size": 10})
        return len(captured)

    # Already a full page of matches (box-1, box-10…box-19), so both calls count the rows.
    Engine.objects.bulk_create(Engine(name=f"box-{index}", provider="vllm") for index in range(20))
    few = queries()
    Engine.objects.bulk_create(
        Engine(name=f"box-{index}", provider="vllm") for index in range(20, 5000)
    )
    assert queries() == few
