"""Edits through the pages and the admin, as a browser posts them: the forms' data, the
rows to edit, a spy on model validation and the whole-request query budget of an edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model

#: Every query of the whole POST of an edit: session and user reads, the row read under its
#: lock, related look-ups, the UPDATE, the change record and, in the admin, its log entry.
MAX_QUERIES = 8

#: Per entity: (web slug, admin model name) and the fields an edit changes.
ENTITIES = {
    "engine": ("engines", "engine"),
    "catalog": ("catalog", "availablemodel"),
    "registered": ("models", "registeredmodel"),
}
CHANGES = {
    "engine": {"status": "error", "provider": "vllm"},
    "catalog": {"status": "failed", "version": "2"},
    "registered": {"status": "downloading", "vram_required_mb": "2048"},
}
TABLES = {
    "engine": "engine_registry",
    "catalog": "available_model_registry",
    "registered": "model_registry",
}


def form_data(form: Any) -> dict:
    """What a browser posts for a form shown unchanged."""
    data = {}
    for field in form:
        value = field.value()
        if value is True:
            data[field.html_name] = "on"
        elif value is not None and value is not False:
            data[field.html_name] = value
    return data


def opened(client: Any, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(
        response.context["adminform"].form
        if "adminform" in response.context
        else response.context["form"]
    )


@pytest.fixture
def validations(monkeypatch) -> list[Model]:
    """Every model validation (``full_clean``) run while the test does."""
    seen: list[Model] = []
    real = Model.full_clean

    def counting(self, *args, **kwargs):
        seen.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Model, "full_clean", counting)
    return seen


@pytest.fixture
def edit_ids(engine, catalog_model, make_model) -> dict[str, int]:
    model = make_model("llama3", capabilities="chat", vram_required_mb=100)
    return {"engine": engine["id"], "catalog": catalog_model["id"], "registered": model["id"]}


@pytest.fixture
def edit_within_budget(
    admin_client, edit_ids, validations, django_assert_max_num_queries
) -> Callable[[str, str], list[str]]:
    """Post an opened edit form (``door``: ``web`` or ``admin``) with ``CHANGES[entity]``,
    the whole request counted: redirected (saved), one validation, the row read once (under
    its lock on PostgreSQL), no savepoint, one UPDATE of the changed fields only and one
    change record, all within ``MAX_QUERIES`` queries. Returns the queries."""

    def edit(door: str, entity: str) -> list[str]:
        slug, model = ENTITIES[entity]
        pk = edit_ids[entity]
        url = {
            "web": f"/{slug}/{pk}/edit/",
            "admin": f"/admin/inventory/{model}/{pk}/change/",
        }[door]
        data = {**opened(admin_client, url), **CHANGES[entity]}
        validations.clear()
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = admin_client.post(url, data)
        assert response.status_code == 302, (
            response.context
            and (response.context.get("form") or response.context["adminform"].form).errors
        )
        assert len(validations) == 1
        queries = [query["sql"] for query in captured.captured_queries]
        table = f'FROM "{TABLES[entity]}"'
        reads = [sql for sql in queries if sql.startswith("SELECT") and table in sql]
        assert len(reads) == 1, reads
        if connection.vendor == "postgresql":
            assert reads[0].endswith(f'FOR UPDATE OF "{TABLES[entity]}"'), reads[0]
        assert not [sql for sql in queries if sql.startswith("SAVEPOINT")], queries
        updates = [sql for sql in queries if sql.startswith("UPDATE")]
        assert len(updates) == 1
        assert '"name"' not in updates[0] and '"capabilities"' not in updates[0]
        assert all(f'"{key}" = ' in updates[0] for key in CHANGES[entity])
        records = [sql for sql in queries if sql.startswith('INSERT INTO "change_record"')]
        assert len(records) == 1, queries
        return queries

    return edit
