"""Boolean fields read payload values as the boolean filters do."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (True, 1),
        (1, 1),
        ("1", 1),
        ("true", 1),
        ("TRUE", 1),
        (" yes ", 1),
        ("on", 1),
        (False, 0),
        (0, 0),
        ("0", 0),
        ("false", 0),
        ("No", 0),
        ("off", 0),
    ],
)
def test_boolean_words_are_accepted_in_payloads(make_model, given, stored):
    row = make_model(is_downloaded=given)
    assert row["is_downloaded"] == stored
    assert module_sdk.models.model_registry.count({"is_downloaded": given}) == 1


@pytest.mark.parametrize("given", ["maybe", 2, None, "", [1]])
def test_other_values_name_the_field(make_model, given):
    row = make_model()
    with pytest.raises(RegistryValidationError) as caught:
        module_sdk.models.model_registry.update(row["id"], {"is_downloaded": given})
    assert caught.value.errors == {
        "is_downloaded": [f"is_downloaded must be a boolean (0/1/true/false), got {given!r}"]
    }
    assert module_sdk.models.model_registry.view(row["id"]) == row


def test_engine_supported_and_knowledge_enabled_read_words_too(engine):
    updated = module_sdk.models.engine_registry.update(engine["id"], {"supported": "true"})
    assert updated["supported"] is True
    config = module_sdk.knowledge.update_config({"enabled": "false"})
    assert config["enabled"] is False
