"""Exports read by keyset in chunks: across chunk boundaries every row comes once, in the
export's order, the same as read in one piece."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from inventory import keyset
from inventory.csv_cells import csv_cell
from inventory.declarations import REGISTERED_MODELS
from inventory.models import AvailableModel, Engine
from inventory.workflows import transfer
from inventory.workflows.transfer import export as transfer_export

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("sort", ["-name", "vram_required_mb", "-available_model_id"])
def test_web_exports_cross_chunks_in_the_tables_order(
    admin_client: Client, sdk, inventory, monkeypatch, sort
):
    expected = sdk.models.model_registry.all(sort=sort)
    monkeypatch.setattr(keyset, "CHUNK_SIZE", 2)
    exported = json.loads(body(admin_client.get("/models/export.json", {"sort": sort})))
    assert exported == expected and len(exported["rows"]) == 5
    text = body(admin_client.get("/models/export.csv", {"sort": sort}))
    reader = csv.DictReader(io.StringIO(text))
    assert list(reader) == [named_csv_row(row) for row in expected["rows"]]


def named_csv_row(row: dict) -> dict[str, str]:
    """A row as the CSV export writes it: other entities' rows by name."""
    named = dict(row)
    engine = Engine.objects.get(pk=named.pop("engine_id"))
    catalog_id = named.pop("available_model_id")
    catalog = AvailableModel.objects.get(pk=catalog_id).name if catalog_id else None
    names = {"engine": engine.name, "available_model": catalog}
    cells = {**names, **named}
    return {key: str(csv_cell(cells[key])) for key in transfer.csv_columns(REGISTERED_MODELS)}


def test_an_empty_csv_export_is_its_header(admin_client: Client, inventory):
    text = body(admin_client.get("/models/export.csv", {"name": "no such model"}))
    assert text.splitlines() == [",".join(transfer.csv_columns(REGISTERED_MODELS))]


def test_the_inventory_export_crosses_chunks_in_name_order(sdk, inventory, monkeypatch):
    whole = json.loads(transfer.export_inventory("json"))
    monkeypatch.setattr(transfer_export, "CHUNK_SIZE", 2)
    chunked = json.loads(transfer.export_inventory("json"))
    assert chunked == whole
    names = [row["name"] for row in chunked["registered_models"]]
    assert names == sorted(names) and len(names) == 5
    assert [row["name"] for row in chunked["engines"]] == ["ollama-test", "vllm-test"]
