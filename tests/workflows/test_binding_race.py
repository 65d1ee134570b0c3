"""Binding is create-or-update: modules that bind the same catalog model to the same engine at
the same moment all succeed on one row, none is told its own binding's name is taken."""

from __future__ import annotations

import pytest

from inventory.models import RegisteredModel
from tests.core.test_postgres import THREADS, run_together

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_concurrent_binds_of_one_catalog_model_share_one_row(sdk, engine):
    catalog = sdk.models.available_model_registry.create({"name": "qwen", "capabilities": "chat"})
    calls = [
        (lambda index=index: sdk.workflows.bind(engine["id"], catalog["id"], {"k": index}))
        for index in range(THREADS)
    ]
    results = run_together(calls)

    assert [kind for kind, _ in results] == ["ok"] * THREADS, [
        value for kind, value in results if kind != "ok"
    ]
    assert sum(value["created"] for _, value in results) == 1
    row = RegisteredModel.objects.get()
    assert row.status == "active"
    assert row.extra_config["k"] in range(THREADS)
