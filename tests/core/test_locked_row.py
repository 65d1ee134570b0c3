"""An edit reads its row once, under the lock (``EntityService.lock_row``): the ETag computed
from that read is the one the API sends, and what the model's rules would look up is read
with it, so that the knowledge-backend rule still holds for the embedding model."""

from __future__ import annotations

import pytest
from django.db import transaction

from inventory.errors import RegistryValidationError
from inventory.services import SERVICES

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(sdk, engine, catalog_model) -> dict[str, int]:
    """Rows with context: an active model over its engine's capacity, out of sync with the
    catalog row it was bound from, and an engine with a secret in its config."""
    sdk.models.engine_registry.update(
        engine["id"], {"vram_total_mb": 100, "config": {"api_key": "s3cret", "host": "h"}}
    )
    model = sdk.models.model_registry.create(
        {
            "name": "bound",
            "engine_id": engine["id"],
            "available_model_id": catalog_model["id"],
            "capabilities": "embedding",
            "extra_config": {"dim": 768},
            "status": "active",
            "vram_required_mb": 500,
        },
        allow_over_capacity=True,
    )
    return {
        "engine_registry": engine["id"],
        "available_model_registry": catalog_model["id"],
        "model_registry": model["id"],
    }


@pytest.mark.parametrize("entity", list(SERVICES))
def test_the_locked_read_gives_the_rows_etag(rows, entity):
    service = SERVICES[entity]
    with transaction.atomic():
        row = service.lock_row(rows[entity])
    stored = service.model.objects.get(pk=rows[entity])
    assert row.etag == service.etag(stored)
    assert {f.attname: getattr(row.instance, f.attname) for f in service.model._meta.fields} == {
        f.attname: getattr(stored, f.attname) for f in service.model._meta.fields
    }
    if entity == "model_registry":
        assert service.declaration.row_for(stored)["warnings"]


def test_the_locked_read_gives_the_etag_of_a_row_on_an_engine_without_capacity(
    sdk, other_engine
):
    model = sdk.models.model_registry.create(
        {"name": "free", "engine_id": other_engine["id"], "status": "active"}
    )
    service = SERVICES["model_registry"]
    with transaction.atomic():
        row = service.lock_row(model["id"])
    assert row.etag == service.etag(service.model.objects.get(pk=model["id"]))


def test_an_edit_of_the_embedding_model_still_needs_confirmation(sdk, rows):
    model_id = rows["model_registry"]
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": model_id})
    service = SERVICES["model_registry"]
    refused = pytest.raises(RegistryValidationError, match="confirm_embedding_model_change")
    with refused, service.locked(model_id) as row:
        service.update_locked(row, {"extra_config": {"dim": 384}})
    assert sdk.models.model_registry.view(model_id)["extra_config"] == {"dim": 768}
    with service.locked(model_id) as row:
        service.update_locked(row, {"status": "active", "extra_config": {"dim": 768}})
