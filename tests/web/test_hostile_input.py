"""Careless or hostile input on the pages: the same answers as the SDK and the API, messages
instead of crashes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from inventory.sdk import module_sdk

from .test_lists import MODELS_URL, row_names

pytestmark = pytest.mark.django_db


def test_a_repeated_filter_means_any_of_its_values_as_in_the_api(admin_client: Client, inventory):
    statuses = {"status": ["active", "error"]}
    rows = module_sdk.models.model_registry.all(filters=statuses)["rows"]
    expected = [row["name"] for row in rows]
    page = admin_client.get(MODELS_URL, {**statuses, "sort": "name"})
    assert row_names(page) == sorted(expected) == ["chat-a", "chat-c", "embed-a", "rerank-a"]
    api = admin_client.get("/api/v1/model-registry/", {**statuses, "sort": "name"}).json()
    assert [row["name"] for row in api["rows"]] == row_names(page)

    engines = [inventory["engine"]["id"], inventory["other_engine"]["id"]]
    both = admin_client.get(MODELS_URL, {"engine_id": engines})
    assert len(row_names(both)) == 5
    html = both.content.decode()
    assert f'name="engine_id" value="{engines[0]},{engines[1]}"' in html


def test_a_repeated_text_filter_is_refused_as_in_the_api(admin_client: Client, inventory):
    page = admin_client.get(MODELS_URL, {"name": ["chat", "embed"]})
    api = admin_client.get("/api/v1/model-registry/", {"name": ["chat", "embed"]})
    assert api.status_code == 400
    assert row_names(page) == []
    assert api.json()["detail"].replace("'", "&#x27;") in page.content.decode()


def test_a_repeated_filter_exports_the_same_rows(admin_client: Client, inventory):
    response = admin_client.get("/models/export.csv", {"status": ["active", "error"]})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 + 4


def model_form(engine_id: int, **fields: str) -> dict[str, str]:
    return {
        "name": "new-model",
        "engine": str(engine_id),
        "status": "available",
        "vram_required_mb": "0",
        "ram_required_mb": "0",
        "extra_config": "{}",
        **fields,
    }


def form_errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {key: [str(message) for message in messages] for key, messages in form.errors.items()}


@pytest.mark.parametrize(
    ("field", "label"), [("name", "Name"), ("model_path", "Path"), ("version", "Version")]
)
def test_nul_characters_are_refused_with_the_core_message(
    admin_client: Client, engine, field, label
):
    response = admin_client.post("/models/new/", model_form(engine["id"], **{field: "a\x00b"}))
    assert form_errors(response) == {field: [f"{label} must not contain NUL characters"]}
    assert not module_sdk.models.model_registry.count()


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_json_nested_too_deeply_for_the_parser_is_a_form_error(admin_client, engine, depth):
    text = '{"a": ' + "[" * depth + "]" * depth + "}"
    response = admin_client.post("/models/new/", model_form(engine["id"], extra_config=text))
    assert response.status_code == 200
    assert form_errors(response) == {"extra_config": ["Enter a valid JSON."]}
    assert not module_sdk.models.model_registry.count()


def test_bind_with_json_nested_too_deeply_is_a_message(admin_client: Client, engine, sdk):
    catalog = sdk.models.available_model_registry.create({"name": "llama3", "capabilities": "chat"})
    text = "[" * 100_000 + "]" * 100_000
    response = admin_client.post(
        f"/catalog/{catalog['id']}/bind/", {"engine_id": engine["id"], "extra_config": text}
    )
    assert response.status_code == 200
    assert "extra_config is not valid JSON: nested too deeply" in response.content.decode()
    assert not module_sdk.models.model_registry.count()


def test_deactivating_a_missing_row_is_404(admin_client: Client, db):
    assert admin_client.post("/models/999/deactivate/").status_code == 404


def test_a_lone_surrogate_in_json_is_shown_escaped_not_a_crash():
    from inventory.forms import PrettyJSONField

    text = PrettyJSONField().prepare_value({"a": "\ud800", "b": "é"})
    text.encode("utf-8")
    assert json.loads(text) == {"a": "\ud800", "b": "é"}


def test_a_form_with_a_lone_surrogate_in_json_renders(admin_client: Client, engine):
    response = admin_client.post(
        "/models/new/", model_form(engine["id"], extra_config='{"a": "\\ud800"}')
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        response.content.decode("utf-8")


def test_import_of_a_csv_cell_nested_too_deeply_is_a_row_error(admin_client: Client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cell = "[" * 50_000 + "]" * 50_000
    upload = SimpleUploadedFile("catalog.csv", f'name,metadata\nllama3,"{cell}"\n'.encode())
    response = admin_client.post("/inventory/import/", {"file": upload})
    assert response.status_code == 200
    assert "metadata is not valid JSON: nested too deeply" in response.content.decode()
    assert not module_sdk.models.available_model_registry.count()
