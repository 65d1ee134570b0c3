"""Exports of the filtered view: streamed, in the SDK's row shape, exactly the filtered rows."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from inventory.web.export import csv_cell

pytestmark = pytest.mark.django_db

FILTERS = {"capabilities": "chat", "status": "active"}


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_json_export_equals_the_sdk_rows(admin_client: Client, sdk, inventory):
    response = admin_client.get("/models/export.json", {**FILTERS, "sort": "-name"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment;" in response["Content-Disposition"]
    exported = json.loads(body(response))
    expected = sdk.models.model_registry.all(filters=FILTERS, sort="-name")
    assert exported == expected
    assert [row["name"] for row in exported["rows"]] == ["chat-c", "chat-a"]


def csv_form(sdk, rows: list[dict]) -> list[dict]:
    """Registered-model rows as the CSV export writes them: the engine and the catalog row
    by name instead of by id, every cell through ``csv_cell``."""
    engines = {row["id"]: row["name"] for row in sdk.models.engine_registry.all()["rows"]}
    catalog = {row["id"]: row["name"] for row in sdk.models.available_model_registry.all()["rows"]}
    named = {"engine_id": ("engine", engines), "available_model_id": ("available_model", catalog)}
    return [
        {
            named[key][0] if key in named else key: str(
                csv_cell(named[key][1].get(value) if key in named else value)
            )
            for key, value in row.items()
        }
        for row in rows
    ]


def test_csv_export_equals_the_sdk_rows(admin_client: Client, sdk, inventory):
    response = admin_client.get("/models/export.csv", FILTERS)
    assert response["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(body(response)))
    expected = csv_form(sdk, sdk.models.model_registry.all(filters=FILTERS)["rows"])
    assert reader.fieldnames == list(expected[0])
    assert list(reader) == expected


def test_every_inventory_exports(admin_client: Client, sdk, inventory):
    for slug, name in (("engines", "engine_registry"), ("catalog", "available_model_registry")):
        exported = json.loads(body(admin_client.get(f"/{slug}/export.json")))
        assert exported["rows"] == getattr(sdk.models, name).all()["rows"]


def test_export_link_carries_the_current_filters(admin_client: Client, inventory):
    page = admin_client.get("/models/", {**FILTERS, "page": 1, "page_size": 2})
    links = page.context["export_urls"]
    assert links["csv"].startswith("/models/export.csv?")
    assert "capabilities=chat" in links["csv"] and "status=active" in links["csv"]
    assert "page" not in links["json"]


def test_invalid_filters_refuse_the_export(admin_client: Client, inventory):
    bad = admin_client.get("/models/export.csv", {"capabilities": "telepathy"})
    assert bad.status_code == 400
    assert "unknown capability 'telepathy'" in bad.content.decode()
    unknown = admin_client.get("/models/export.json", {"engines": "1"})
    assert unknown.status_code == 400
    assert "unknown filter 'engines'" in unknown.content.decode()
    assert admin_client.get("/models/export.xml").status_code == 400


def test_reader_may_export(reader_client: Client, inventory):
    assert reader_client.get("/models/export.csv").status_code == 200


def test_export_link_uses_the_sort_the_table_shows(admin_client: Client, inventory):
    """A sort the page replaced by its default (with a warning) is not carried to the export,
    so the link downloads the rows shown rather than an error."""
    page = admin_client.get("/models/", {**FILTERS, "sort": "-runtime_methods"})
    assert page.context["query"].warnings
    link = page.context["export_urls"]["json"]
    assert "sort=id" in link and "runtime_methods" not in link
    exported = json.loads(body(admin_client.get(link)))
    assert [row["name"] for row in exported["rows"]] == ["chat-a", "chat-c"]
