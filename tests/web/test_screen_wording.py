"""One message, two wordings: the API and the SDK keep the contract's
(``vram_required_mb must be a non-negative integer, got -1``); pages and the admin name the
field by its label and the rule in plain words (``VRAM (MB) must be a whole number of 0 or
more``)."""

from __future__ import annotations

import json

import pytest

from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk
from inventory.wording import (
    INTEGER,
    NON_NEGATIVE_INTEGER,
    POSITIVE_INTEGER,
    for_screen,
)
from tests.admin.test_forms import ADD
from tests.admin.test_forms import errors as admin_errors
from tests.admin.test_forms import model_form as admin_form
from tests.web.test_forms import model_form as web_form

pytestmark = pytest.mark.django_db

CASES = [
    (
        {"vram_required_mb": "-1"},
        "vram_required_mb",
        f"vram_required_mb {NON_NEGATIVE_INTEGER.api}, got -1",
        "VRAM (MB) must be a whole number of 0 or more",
    ),
    (
        {"ram_required_mb": "1.5"},
        "ram_required_mb",
        f"ram_required_mb {INTEGER.api}, got '1.5'",
        "RAM (MB) must be a whole number",
    ),
    (
        {"extra_config": '{"dim": 0}'},
        "extra_config",
        f"extra_config.dim {POSITIVE_INTEGER.api}, got 0",
        "dim in Extra config must be a whole number of 1 or more, got 0",
    ),
]


def sdk_payload(engine_id: int, fields: dict) -> dict:
    payload = {"name": "worded", "engine_id": engine_id, "capabilities": ["embedding"]}
    for key, value in fields.items():
        payload[key] = json.loads(value) if key == "extra_config" else value
    return payload


@pytest.mark.parametrize(("fields", "field", "api", "screen"), CASES)
def test_api_and_sdk_keep_the_contract_wording(
    engine, client, admin_user, fields, field, api, screen
):
    payload = sdk_payload(engine["id"], fields)
    with pytest.raises(RegistryValidationError) as caught:
        module_sdk.models.model_registry.create(payload)
    assert caught.value.errors[field] == [api]
    client.force_login(admin_user)
    response = client.post("/api/v1/model-registry/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][field] == [api]


@pytest.mark.parametrize(("fields", "field", "api", "screen"), CASES)
def test_pages_and_admin_use_the_screen_words(admin_client, engine, fields, field, api, screen):
    page = admin_client.post("/models/new/", web_form(engine["id"], **fields))
    assert [str(m) for m in page.context["form"].errors[field]] == [screen]
    admin = admin_client.post(ADD, admin_form(engine=engine["id"], **fields))
    assert admin_errors(admin)[field] == [screen]
    assert not RegisteredModel.objects.exists()


LABELS = {
    "name": "Name",
    "engine_id": "Engine",
    "extra_config": "Extra config",
    "allow_over_capacity": "Allow going beyond the engine's capacity",
}


@pytest.mark.parametrize(
    ("message", "worded"),
    [
        ("name and engine_id are required", "Name and Engine are required"),
        ("engine_id does not exist", "Engine does not exist"),
        ("extra_config must be a JSON object", "Extra config must be a JSON object"),
        ("model name already in use", "model name already in use"),  # no field as subject
        ("payload must be a JSON object", "payload must be a JSON object"),  # not on the form
        (
            "engine 'a' has 4 GB of VRAM; set allow_over_capacity to go beyond",
            "engine 'a' has 4 GB of VRAM; tick “Allow going beyond the engine's capacity” to go "
            "beyond",
        ),
    ],
)
def test_for_screen_names_fields_and_options_by_their_labels(message, worded):
    assert for_screen(message, LABELS) == worded
