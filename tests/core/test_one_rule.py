"""Rules that two doors or two entities share are written once: the megabyte bound of catalog
and registered rows, the knowledge embedding model's status from both sides, the wording of
unknown-key refusals and the knowledge settings' keys."""

from __future__ import annotations

import pytest

from inventory import errors, services
from inventory.models import AvailableModel, KnowledgeSettings
from inventory.models.fields import MAX_MEGABYTES
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

catalog = module_sdk.models.available_model_registry
registered = module_sdk.models.model_registry
knowledge = module_sdk.knowledge


@pytest.mark.parametrize("key", ["vram_mb", "ram_mb"])
def test_catalog_megabytes_bounded_like_registered_rows(db, key):
    too_big = {"name": "big", "requirements": {key: 3_000_000_000}}
    expect_invalid(
        lambda: catalog.create(too_big),
        "requirements",
        f"requirements.{key} must be at most {MAX_MEGABYTES}",
    )
    assert AvailableModel.objects.count() == 0
    row = catalog.create({"name": "big", "requirements": {key: MAX_MEGABYTES}})
    assert row["requirements"] == {key: MAX_MEGABYTES}


def test_catalog_megabytes_refuses_non_integers(db):
    expect_invalid(
        lambda: catalog.create({"name": "x", "requirements": {"vram_mb": -1, "ram_mb": "8"}}),
        "requirements",
        "requirements.vram_mb must be a non-negative integer",
    )


def test_registered_megabytes_keep_their_message(engine):
    expect_invalid(
        lambda: registered.create(
            {"name": "m", "engine_id": engine["id"], "vram_required_mb": MAX_MEGABYTES + 1}
        ),
        "vram_required_mb",
        f"vram_required_mb must be at most {MAX_MEGABYTES}",
    )


@pytest.fixture
def enabled_backend(make_model) -> dict:
    model = make_model("e5", capabilities="embedding", extra_config={"dim": 384})
    knowledge.update_config({"enabled": True, "embedding_model_id": model["id"]})
    return model


@pytest.mark.parametrize("status", ["error", "downloading", "disabled"])
def test_backend_taken_out_of_service_and_settings_still_save_unchanged(enabled_backend, status):
    """Both halves of the rule agree: a status the model may take (with the confirmation its
    own rule asks for) leaves the knowledge settings valid, so saving them unchanged works."""
    expect_invalid(
        lambda: registered.update(enabled_backend["id"], {"status": status}),
        "status",
        "must be confirmed with confirm_embedding_model_change",
        exact=False,
    )
    registered.update(
        enabled_backend["id"], {"status": status}, confirm_embedding_model_change=True
    )
    again = knowledge.update_config({"enabled": True, "embedding_model_id": enabled_backend["id"]})
    assert again["enabled"] is True
    assert knowledge.update_config({})["embedding_model_id"] == enabled_backend["id"]
    knowledge.update_config({"enabled": False})
    expect_invalid(
        lambda: knowledge.update_config({"enabled": True}),
        "embedding_model_id",
        f"model 'e5' has status {status!r}; the knowledge embedding model must be available or "
        "active",
    )


def test_choosing_a_model_in_error_is_refused(enabled_backend, make_model):
    other = make_model("bge", capabilities="embedding", extra_config={"dim": 8}, status="error")
    expect_invalid(
        lambda: knowledge.update_config(
            {"embedding_model_id": other["id"]}, confirm_embedding_model_change=True
        ),
        "embedding_model_id",
        "model 'bge' has status 'error'; the knowledge embedding model must be available or "
        "active",
    )


def test_unknown_keys_one_wording():
    error = errors.unknown_keys_error(["x", "y"], ["a", "b"], "parameter")
    assert error.errors == {
        "x": ["unknown parameter 'x'; known parameters: a, b"],
        "y": ["unknown parameter 'y'; known parameters: a, b"],
    }
    assert errors.unknown_keys_error(["x"], []).message == (
        "unknown field 'x'; this request takes no fields"
    )


def test_knowledge_keys_are_the_model_fields(db):
    assert services.knowledge_defaults() == {"enabled": False, "embedding_model_id": None}
    for key in services.KNOWLEDGE_KEYS:
        KnowledgeSettings._meta.get_field(key.removesuffix("_id"))
    assert set(services.KNOWLEDGE_KEYS) <= set(knowledge.get_config())
