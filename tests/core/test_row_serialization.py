"""Rows serialized from a plan worked out once per declaration, with timestamps formatted by
the database, are exactly the rows the field declarations describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from inventory.declarations import DECLARATIONS
from inventory.listing import ListDeclaration, iso_datetime
from inventory.models import Engine, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(2026, 1, 31, 9, 5, 0, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 31, 9, 5, 7, 250000, tzinfo=dt.UTC),
    dt.datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 6, 1, 0, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=5))),
]


def _by_definition(declaration: ListDeclaration, instance: Any, values: dict) -> dict:
    """The row as each field declares it, field by field, from the stored instance."""
    row = {}
    for item in declaration.fields:
        if item.source is None:
            row[item.name] = item.derive(values) if item.derive else None
        elif item.read is not None:
            row[item.name] = item.serialize(getattr(instance, item.source), values)
        else:
            row[item.name] = item.serialize(values[item.source], values)
    return row


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_database_timestamps_match_isoformat(engine, moment):
    model = module_sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "model_path": "m.gguf"}
    )
    RegisteredModel.objects.filter(pk=model["id"]).update(created_at=moment, updated_at=moment)
    row = module_sdk.models.model_registry.view(model["id"])
    stored = RegisteredModel.objects.get(pk=model["id"])
    assert row["created_at"] == iso_datetime(stored.created_at, {}) == row["updated_at"]
    assert row["created_at"] == moment.astimezone(dt.UTC).isoformat()


@pytest.mark.parametrize("key", list(DECLARATIONS))
def test_rows_match_their_field_declarations(key, engine, other_engine, catalog_model):
    Engine.objects.filter(pk=engine["id"]).update(vram_total_mb=1024)
    sdk = module_sdk.models
    sdk.model_registry.create(
        {
            "name": "bound",
            "engine_id": engine["id"],
            "available_model_id": catalog_model["id"],
            "model_path": "x.gguf",
            "capabilities": "embedding",
            "status": "active",
            "vram_required_mb": 512,
        }
    )
    sdk.model_registry.create(
        {"name": "plain", "engine_id": other_engine["id"], "model_path": "y.gguf"}
    )
    declaration = DECLARATIONS[key]
    model = declaration.model
    values = declaration.page_values(declaration.queryset().order_by("id"))
    assert values
    for item in values:
        instance = model._default_manager.get(pk=item["id"])
        assert declaration.serialize(item) == _by_definition(declaration, instance, item)
