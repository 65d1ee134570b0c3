"""The CSV export of a list imports back: rows of other entities are named (``engine``,
``available_model``), never numbered, so export → import is a no-op, and an edited file
updates exactly what was edited."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from inventory.models import AvailableModel, ChangeRecord, Engine, RegisteredModel
from inventory.workflows import transfer
from tests.web.test_export import body

pytestmark = pytest.mark.django_db

MODELS = (RegisteredModel, AvailableModel, Engine)


def stored() -> list[list[dict]]:
    return [list(model.objects.order_by("pk").values()) for model in MODELS]


def exported(client: Client, slug: str) -> str:
    response = client.get(f"/{slug}/export.csv")
    assert response.status_code == 200
    return body(response)


@pytest.fixture
def populated(sdk, inventory, catalog_model, make_model) -> None:
    """The inventory's models plus rows whose values need quoting, escaping or protecting
    against spreadsheet formulas in CSV."""
    make_model(
        'quoted "name", with comma',
        capabilities="chat,vision",
        is_downloaded=True,
        model_path="/models/a b/c.gguf",
        available_model_id=catalog_model["id"],
        extra_config={"context_length": 8192, "note": 'say "hi"\nbye'},
        remote_url="https://example.org/m?x=1&y=2",
        version="1.2",
    )
    # Text a spreadsheet would take for a formula is written with a leading ' and read back.
    make_model("@cf/meta/llama-3-8b", capabilities="chat", version="-rc1")
    sdk.models.available_model_registry.create({"name": "=not-a-formula", "family": "+x"})


def test_registered_model_csv_names_engine_and_catalog_row(admin_client, populated):
    rows = list(csv.DictReader(io.StringIO(exported(admin_client, "models"))))
    assert "engine_id" not in rows[0] and "available_model_id" not in rows[0]
    by_name = {row["name"]: row for row in rows}
    stored_model = RegisteredModel.objects.select_related("engine", "available_model").get(
        name="embed-a"
    )
    assert by_name["embed-a"]["engine"] == stored_model.engine.name
    assert by_name["embed-a"]["available_model"] == stored_model.available_model.name
    assert by_name["chat-a"]["available_model"] == ""  # no catalog row


@pytest.mark.parametrize("slug", ["models", "catalog", "engines"])
def test_csv_export_imports_back_as_every_row_unchanged(admin_client, populated, slug):
    before, records = stored(), ChangeRecord.objects.count()
    text = exported(admin_client, slug)
    section = {"models": "registered_models", "catalog": "catalog", "engines": "engines"}[slug]
    report = transfer.import_inventory(text.encode(), "csv", apply=True)
    rows = len(before[["registered_models", "catalog", "engines"].index(section)])
    assert report["counts"] == {
        section: {"created": 0, "updated": 0, "unchanged": rows, "refused": 0}
    }
    assert stored() == before
    assert ChangeRecord.objects.count() == records


def test_an_edited_registered_model_csv_updates_what_was_edited(
    admin_client, populated, other_engine
):
    rows = list(csv.DictReader(io.StringIO(exported(admin_client, "models"))))
    edited = next(row for row in rows if row["name"] == "chat-a")
    old_engine = edited["engine"]
    edited["engine"] = other_engine["name"]
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = transfer.import_inventory(out.getvalue(), "csv", apply=True)
    assert report["counts"]["registered_models"]["updated"] == 1
    updated = next(row for row in report["rows"] if row["action"] == "updated")
    assert updated["changes"] == {"engine": {"before": old_engine, "after": other_engine["name"]}}
    assert RegisteredModel.objects.get(name="chat-a").engine_id == other_engine["id"]
