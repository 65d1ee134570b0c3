"""The ``name`` substring filter of each list is served by a trigram index on PostgreSQL."""

from __future__ import annotations

import pytest

from inventory.declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from inventory.models import AvailableModel, Engine, RegisteredModel

from .test_postgres import plan

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
@pytest.mark.parametrize(
    "declaration, index",
    [
        (ENGINES, "engine_registry_name_trgm"),
        (AVAILABLE_MODELS, "available_model_registry_name_trgm"),
        (REGISTERED_MODELS, "model_registry_name_trgm"),
    ],
)
def test_name_substring_can_use_trigram_index(engine, declaration, index):
    Engine.objects.bulk_create(Engine(name=f"e{i}", provider="ollama") for i in range(200))
    AvailableModel.objects.bulk_create(AvailableModel(name=f"c{i}") for i in range(200))
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"m{i}", engine_id=engine["id"]) for i in range(200)
    )
    text = plan(declaration, {"name": "Qwen2-7"})
    assert f"Bitmap Index Scan on {index}" in text, text
