"""The importer applies exactly the rules every other door applies, in batches.

A refused import row gets the messages ``create`` gives the same payload through the SDK;
what the importer batches (name lookups, references, inserts and updates) keeps the query
count per chunk, not per row; a conflict only the database sees is still named by row.
"""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError

from inventory import batch_writes
from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.workflows import transfer

SDK_NAMES = {
    "engines": "engine_registry",
    "catalog": "available_model_registry",
    "registered_models": "model_registry",
}

# Rows a new import row must be refused for, with the SDK's own messages.
BAD_ROWS = [
    ("engines", {"name": "", "provider": "ollama"}),
    ("engines", {"name": "e2", "provider": "ollama", "status": "broken"}),
    ("engines", {"name": "e2", "provider": "ollama", "config": []}),
    ("catalog", {"name": None}),
    ("catalog", {"name": "x" * 300}),
    ("catalog", {"name": "c", "format": "exe"}),
    ("catalog", {"name": "c", "capabilities": "chat,telepathy"}),
    ("catalog", {"name": "c", "requirements": {"vram_mb": -1}}),
    ("catalog", {"name": "c", "extra_config": {"dim": 8}}),
    ("catalog", {"name": "c", "summary": "a\x00b"}),
    ("catalog", {"name": "c", "tags": {"a": 1}}),
    ("catalog", {"name": "c", "label": ["x"]}),
    ("catalog", {"name": "c", "status": None}),
    ("catalog", {"name": "c", "colour": "red"}),
    ("registered_models", {"name": "m", "engine": "E", "vram_required_mb": -1}),
    ("registered_models", {"name": "m", "engine": "E", "vram_required_mb": True}),
    ("registered_models", {"name": "m", "engine": "E", "status": "weird"}),
    ("registered_models", {"name": "m", "engine": "E", "is_downloaded": "maybe"}),
    ("registered_models", {"name": "m", "engine": None}),
    ("registered_models", {"name": "m"}),
    ("registered_models", {"name": "", "engine": "E"}),
    (
        "registered_models",
        {"name": "m", "engine": "E", "capabilities": "embedding", "extra_config": {"dim": 0}},
    ),
    (
        "registered_models",
        {
            "name": "m",
            "engine": "E",
            "capabilities": "embedding",
            "extra_config": {"defaults": {"temperature": 1}},
        },
    ),
]


def sdk_payload(section: str, row: dict, engine_id: int) -> dict:
    """The SDK payload for an import row: references by id instead of by name."""
    if section != "registered_models" or "engine" not in row:
        return row
    payload = {key: value for key, value in row.items() if key != "engine"}
    payload["engine_id"] = engine_id if row["engine"] == "E" else row["engine"]
    return payload


@pytest.mark.parametrize(("section", "row"), BAD_ROWS, ids=lambda value: repr(value)[:40])
def test_a_new_row_is_refused_with_the_sdk_messages(db, sdk, section, row):
    engine = Engine.objects.create(name="E", provider="ollama")
    with pytest.raises(RegistryValidationError) as expected:
        getattr(sdk.models, SDK_NAMES[section]).create(sdk_payload(section, row, engine.pk))

    report = transfer.import_document({section: [row]})
    assert [item["action"] for item in report["rows"]] == ["refused"]
    got: dict[str, list[str]] = {}
    for error in report["errors"]:
        key = {"engine": "engine_id"}.get(error["field"], error["field"])
        got.setdefault(key, []).append(error["message"])
    assert got == expected.value.errors


def registered_rows(count: int, **fields) -> list[dict]:
    return [
        {"name": f"m{index:04d}", "engine": "E", "available_model": f"c{index:04d}", **fields}
        for index in range(count)
    ]


def test_registered_rows_take_queries_per_chunk_not_per_row(db, sdk, django_assert_max_num_queries):
    Engine.objects.create(name="E", provider="ollama")
    AvailableModel.objects.bulk_create([AvailableModel(name=f"c{i:04d}") for i in range(300)])
    document = {"registered_models": registered_rows(300, capabilities="chat")}
    # References are looked up once per chunk, not by a query per row and foreign key.
    with django_assert_max_num_queries(20):
        report = transfer.import_document(document, apply=True)
    assert report["counts"]["registered_models"]["created"] == 300
    assert RegisteredModel.objects.filter(available_model__name="c0299").exists()

    # Unchanged rows are compared, not validated again nor written.
    with django_assert_max_num_queries(20):
        report = transfer.import_document(document, apply=True)
    assert report["counts"]["registered_models"]["unchanged"] == 300

    # Changed rows are validated by the model (whose clean() looks up the knowledge settings
    # of an existing row) and written in one statement per set of changed fields.
    document = {"registered_models": registered_rows(300, capabilities="chat", version="2")}
    with django_assert_max_num_queries(300 + 20):
        report = transfer.import_document(document, apply=True)
    assert report["counts"]["registered_models"]["updated"] == 300
    assert set(RegisteredModel.objects.values_list("version", flat=True)) == {"2"}


def test_an_update_stamps_updated_at_and_an_unchanged_row_keeps_it(db, sdk):
    kept = sdk.models.available_model_registry.create({"name": "kept", "version": "1"})
    moved = sdk.models.available_model_registry.create({"name": "moved", "version": "1"})
    document = {"catalog": [{"name": "kept", "version": "1"}, {"name": "moved", "version": "2"}]}
    transfer.import_document(document, apply=True)
    after = {row.name: row for row in AvailableModel.objects.all()}
    assert after["kept"].updated_at.isoformat() == kept["updated_at"]
    assert after["moved"].updated_at.isoformat() > moved["updated_at"]
    assert after["moved"].version == "2"


def test_names_match_as_the_name_field_normalizes_them(db, sdk):
    sdk.models.available_model_registry.create({"name": "123", "family": "a"})
    sdk.models.available_model_registry.create({"name": "spaced", "family": "a"})
    document = {"catalog": [{"name": 123, "family": "b"}, {"name": " spaced ", "family": "b"}]}
    report = transfer.import_document(document, apply=True)
    assert report["counts"]["catalog"]["updated"] == 2
    assert set(AvailableModel.objects.values_list("family", flat=True)) == {"b"}


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        ({"catalog": [{"name": ["x"]}]}, "name", "name must be a string"),
        ({"engines": [{"name": {"a": 1}, "provider": "ollama"}]}, "name", "name must be a string"),
        (
            {"registered_models": [{"name": "m", "engine": ["E"]}]},
            "engine",
            "engine must be a name (a string), got ['E']",
        ),
        (
            {"registered_models": [{"name": "m", "engine": "E", "available_model": {"a": 1}}]},
            "available_model",
            "available_model must be a name (a string), got {'a': 1}",
        ),
    ],
)
def test_values_of_the_wrong_shape_are_refused_not_a_crash(db, document, field, message):
    Engine.objects.create(name="E", provider="ollama")
    report = transfer.import_document(document)
    assert [(e["field"], e["message"]) for e in report["errors"]] == [(field, message)]


def test_a_conflict_only_the_database_sees_is_named_by_row(db, monkeypatch):
    """Another writer inserts a name after the chunk's lookup: the batched insert fails and
    the rows are written one by one through the full validation, which names the row."""
    lookup = transfer.Importer.resolve

    def concurrent_insert(self, section, chunk):
        AvailableModel.objects.create(name="raced")
        return lookup(self, section, chunk)

    monkeypatch.setattr(transfer.Importer, "resolve", concurrent_insert)
    report = transfer.import_document({"catalog": [{"name": "fine"}, {"name": "raced"}]})
    assert [(r["name"], r["action"]) for r in report["rows"]] == [
        ("fine", "created"),
        ("raced", "refused"),
    ]
    assert report["errors"][0]["message"] == 'available model name already in use (by "raced")'


def test_a_failed_batched_update_falls_back_to_validated_saves(db, sdk, monkeypatch):
    sdk.models.available_model_registry.create({"name": "a", "version": "1"})

    def conflict(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(batch_writes, "update_rows", conflict)
    report = transfer.import_document({"catalog": [{"name": "a", "version": "2"}]}, apply=True)
    assert report["counts"]["catalog"]["updated"] == 1
    assert AvailableModel.objects.get(name="a").version == "2"


def test_import_file_round_trip_of_a_registered_row_with_no_catalog_link(sdk, engine):
    sdk.models.model_registry.create({"name": "loose", "engine_id": engine["id"]})
    text = sdk.workflows.export_inventory("json")
    row = json.loads(text)["registered_models"][0]
    assert row["available_model"] is None
    report = sdk.workflows.import_inventory(text)
    assert report["counts"]["registered_models"]["unchanged"] == 1
