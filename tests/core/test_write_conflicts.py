"""A write that validation let through but the database refused (another writer got in
between) is reported as a validation error, never as an ``IntegrityError``, and writes nothing.

The PostgreSQL tests race real threads; these tests open the same window on any database by
skipping the check that would have caught the conflict the first time.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry


@pytest.fixture
def first_check_misses(monkeypatch):
    """The first uniqueness check sees nothing, as if the other writer had not committed yet."""
    real = RegisteredModel.validate_unique
    calls: list[int] = []

    def validate_unique(self, exclude=None):
        calls.append(1)
        if len(calls) > 1:
            real(self, exclude=exclude)

    monkeypatch.setattr(RegisteredModel, "validate_unique", validate_unique)
    return calls


def test_duplicate_caught_by_the_database_keeps_the_message(make_model, engine, first_check_misses):
    make_model("llama3")
    expect_invalid(
        lambda: models.create({"name": "llama3", "engine_id": engine["id"]}),
        "name",
        'model name already in use (by "llama3")',
        first=True,
    )
    assert len(first_check_misses) == 2
    assert RegisteredModel.objects.count() == 1


def test_rename_caught_by_the_database_writes_nothing(make_model, first_check_misses):
    make_model("llama3")
    other = make_model("mistral", status="active")
    first_check_misses.clear()
    expect_invalid(
        lambda: models.update(other["id"], {"name": "llama3", "status": "disabled"}),
        "name",
        'model name already in use (by "llama3")',
        first=True,
    )
    assert models.view(other["id"]) == other


def test_unexplained_conflict_asks_to_retry(engine, monkeypatch):
    def save(self, *args, **kwargs):
        raise IntegrityError("simulated conflict")

    monkeypatch.setattr(RegisteredModel, "save", save)
    expect_invalid(
        lambda: models.create({"name": "llama3", "engine_id": engine["id"]}),
        "__all__",
        "the change conflicts with a concurrent write; please retry",
        first=True,
    )
    assert RegisteredModel.objects.count() == 0
