"""Inputs that used to end in a 500 (an HTML page) are refused in every door with one message
naming the field: the SDK, the REST API (a JSON 400) and the HTTP client over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk

V1 = "/api/v1/"
LIST_MESSAGE = "{} must be a comma-separated string or a list of strings"

Door = Any  # module_sdk or RegistryClient: one contract
Case = tuple[str, str, Callable[[Door, dict], Any], Callable[[dict], tuple[str, str, Any]]]


def _catalog_field(field: str) -> Case:
    return (
        field,
        LIST_MESSAGE.format(field),
        lambda door, ids: door.models.available_model_registry.create({"name": "x", field: {}}),
        lambda ids: ("post", "available-model-registry/", {"name": "x", field: {}}),
    )


CASES: dict[str, Case] = {
    **{
        f"{field} {{}}": _catalog_field(field)
        for field in ("capabilities", "tags", "interfaces", "extended_capabilities")
    },
    "registered capabilities {}": (
        "capabilities",
        LIST_MESSAGE.format("capabilities"),
        lambda door, ids: door.models.model_registry.update(ids["model"], {"capabilities": {}}),
        lambda ids: ("patch", f"model-registry/{ids['model']}/", {"capabilities": {}}),
    ),
    "reconcile fields true": (
        "fields",
        LIST_MESSAGE.format("fields"),
        lambda door, ids: door.workflows.apply_reconcile(ids["model"], fields=True),
        lambda ids: ("post", f"model-registry/{ids['model']}/reconcile/", {"fields": True}),
    ),
    "reconcile fields object": (
        "fields",
        LIST_MESSAGE.format("fields"),
        lambda door, ids: door.workflows.apply_reconcile(ids["model"], fields={"a": 1}),
        lambda ids: ("post", f"model-registry/{ids['model']}/reconcile/", {"fields": {"a": 1}}),
    ),
    **{
        f"knowledge id {value!r}": (
            "embedding_model_id",
            f"embedding_model_id must be an integer, got {value!r}",
            lambda door, ids, value=value: door.knowledge.update_config(
                {"embedding_model_id": value}
            ),
            lambda ids, value=value: ("patch", "knowledge/config/", {"embedding_model_id": value}),
        )
        for value in ([], {}, [1])
    },
    "import csv cell over the csv limit": (
        "file",
        "the CSV file cannot be read: field larger than field limit (131072)",
        lambda door, ids: door.workflows.import_inventory(
            "name,summary\na," + "x" * 131_073 + "\n", "csv"
        ),
        lambda ids: (
            "post",
            "inventory/import/",
            {"text": "name,summary\na," + "x" * 131_073 + "\n", "format": "csv"},
        ),
    ),
    "import yaml alias bomb": (
        "file",
        "not valid YAML: aliases (*name) of lists or mappings are not accepted in an import; "
        "write the repeated part out",
        lambda door, ids: door.workflows.import_inventory(ALIAS_BOMB, "yaml"),
        lambda ids: ("post", "inventory/import/", {"text": ALIAS_BOMB, "format": "yaml"}),
    ),
    "name with a zero-width space": (
        "name",
        "name must not contain invisible or bidirectional control characters "
        "(U+200B ZERO WIDTH SPACE at position 4)",
        lambda door, ids: door.models.engine_registry.create(
            {"name": "oll\u200bama", "provider": "ollama"}
        ),
        lambda ids: (
            "post",
            "engine-registry/",
            {"name": "oll\u200bama", "provider": "ollama"},
        ),
    ),
    "name differing in case": (
        "name",
        'engine name already in use (by "ollama-test")',
        lambda door, ids: door.models.engine_registry.create(
            {"name": "OLLAMA-TEST", "provider": "ollama"}
        ),
        lambda ids: ("post", "engine-registry/", {"name": "OLLAMA-TEST", "provider": "ollama"}),
    ),
    "summary over its limit": (
        "summary",
        "summary must be at most 2000 characters long (got 2001)",
        lambda door, ids: door.models.available_model_registry.create(
            {"name": "long", "summary": "s" * 2001}
        ),
        lambda ids: ("post", "available-model-registry/", {"name": "long", "summary": "s" * 2001}),
    ),
}

#: 9 aliases per level, 9 levels: 9**9 (387 million) leaves once expanded, in 400 bytes.
ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [
        f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 9)}]"
        for level in range(8)
    ]
    + ["catalog: *i"]
)


@pytest.fixture
def ids(engine, catalog_model, make_model) -> dict:
    row = make_model("llama3", capabilities="chat", available_model_id=catalog_model["id"])
    make_model("embedder", capabilities="embedding", extra_config={"dim": 8})
    return {"model": row["id"]}


def refusal(call: Callable[[], Any]) -> RegistryValidationError:
    with pytest.raises(RegistryValidationError) as info:
        call()
    return info.value


@pytest.mark.parametrize("case", CASES)
def test_the_sdk_and_the_api_refuse_with_the_field_named(api, ids, case):
    field, message, sdk_call, request = CASES[case]
    error = refusal(lambda: sdk_call(module_sdk, ids))
    assert str(error) == message
    assert error.errors[field] == [message]

    method, path, body = request(ids)
    response = getattr(api, method)(V1 + path, body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == message
    assert response.json()["errors"][field] == [message]


@pytest.mark.django_db(transaction=True)
def test_the_http_client_gets_the_sdk_messages(http_client, ids):
    for case, (field, message, call, _) in CASES.items():
        error = refusal(lambda call=call: call(http_client, ids))
        assert (case, str(error), error.errors.get(field)) == (case, message, [message])


def test_a_yaml_alias_bomb_is_refused_quickly(db, sdk, django_assert_max_num_queries):
    assert len(ALIAS_BOMB) < 420
    with django_assert_max_num_queries(0):
        refusal(lambda: sdk.workflows.import_inventory(ALIAS_BOMB, "yaml"))
    # Aliases of scalars expand nothing and stay accepted.
    scalars = "catalog:\n  - {name: &n shared, label: *n}\n"
    report = sdk.workflows.import_inventory(scalars, "yaml")
    assert [row["action"] for row in report["rows"]] == ["created"]


def test_a_repeated_entity_filter_of_the_change_feed_is_a_400(api):
    response = api.get(V1 + "changes/", {"entity": ["null", "null"]})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["entity"]


def test_nan_in_a_request_body_is_a_json_400(api, ids):
    body = '{"name": "x", "provider": "ollama", "config": {}, "status": NaN}'
    response = api.post(V1 + "engine-registry/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("text", "fmt", "section", "field", "message"),
    [
        (
            "name,summary\na\x00b,c\n",
            "csv",
            "catalog",
            "name",
            "name must not contain NUL characters",
        ),
        (
            "name,summary\nab,c\x00\n",
            "csv",
            "catalog",
            "summary",
            "summary must not contain NUL characters",
        ),
        (
            json.dumps({"engines": [{"name": "e\x00", "provider": "ollama"}]}),
            "json",
            "engines",
            "name",
            "name must not contain NUL characters",
        ),
        (
            json.dumps({"registered_models": [{"name": "m", "engine": "e\x00"}]}),
            "json",
            "registered_models",
            "engine",
            "engine 'e\\x00' does not exist",
        ),
    ],
)
def test_a_nul_character_in_an_import_is_a_row_error_naming_the_field(
    sdk, engine, text, fmt, section, field, message
):
    """On PostgreSQL, looking the name up used to fail the whole import (a 500)."""
    report = sdk.workflows.import_inventory(text, fmt)
    assert [(e["section"], e["field"], e["message"]) for e in report["errors"]] == [
        (section, field, message)
    ]


def test_nan_from_a_json_import_is_refused_by_field(db, sdk):
    document = json.dumps({"catalog": [{"name": "c", "summary": float("nan")}]})
    report = sdk.workflows.import_inventory(document)
    assert report["errors"][0]["field"] == "summary"
    assert report["errors"][0]["message"] == "summary must be a string, not NaN or Infinity"
