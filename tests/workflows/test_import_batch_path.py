"""The import's batch path (field checks shared by the rows of a chunk, rows written by
``COPY`` or ``bulk_create`` without normalizing their text again, change records written in
batches) decides, stores and records exactly what a single ``create``/``update`` does."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel, ChangeRecord, shared_checks
from inventory.workflows import transfer

# Values that normalize (aliases, case, spacing, lists) and values that are refused, each
# used by several rows of one chunk so that the later rows meet the shared outcome.
ROWS = [
    {"format": "GGUF", "capabilities": " Chat , tool_calling", "tags": ["b", "a", "b"]},
    {"format": "exe"},
    {"capabilities": "chat,telepathy"},
    {"capabilities": "pdf_input,chat", "extended_capabilities": "chat"},
    {"summary": "a\x00b"},
    {"tags": {"a": 1}},
    {"label": ["x"]},
    {"status": "broken"},
    {"quantization": "  Q4   K M ", "family": " llama ", "requirements": {"vram_mb": 8}},
    {"requirements": {"vram_mb": -1}, "source_kind": "catalog"},
    {"capabilities": "embedding", "extra_config": {"dim": 768}},
    {"capabilities": "embedding", "extra_config": {"dim": 0}},
    {"remote_url": "javascript:alert(1)"},
    {"remote_url": "hf://org/model", "interfaces": "openai, ollama"},
]
COPIES = 3
STORED = [
    "format",
    "capabilities",
    "extended_capabilities",
    "tags",
    "interfaces",
    "quantization",
    "family",
    "requirements",
    "extra_config",
    "remote_url",
    "source_kind",
    "status",
    "summary",
]


def named(prefix: str, index: int, copy: int, row: dict) -> dict:
    return {"name": f"{prefix}{index:02d}-{copy}", **row}


def sdk_outcome(sdk, payload: dict) -> dict | None:
    """The SDK's errors for ``payload`` by field, or ``None`` when it creates the row."""
    try:
        sdk.models.available_model_registry.create(payload)
    except RegistryValidationError as error:
        return error.errors
    return None


def import_errors(report: dict) -> dict[str, dict[str, list[str]]]:
    errors: dict[str, dict[str, list[str]]] = {}
    for item in report["errors"]:
        errors.setdefault(item["name"], {}).setdefault(item["field"], []).append(item["message"])
    return errors


def stored(name: str) -> dict:
    return AvailableModel.objects.filter(name=name).values(*STORED).get()


def record(name: str, action: str) -> ChangeRecord:
    return ChangeRecord.objects.get(
        entity="available_model_registry", object_name=name, action=action
    )


def comparable(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot.items() if key in STORED}


@pytest.mark.django_db
def test_rows_sharing_values_are_refused_stored_and_recorded_as_single_creates(sdk):
    expected = {
        index: sdk_outcome(sdk, named("sdk", index, 0, row)) for index, row in enumerate(ROWS)
    }
    assert sum(outcome is None for outcome in expected.values()) >= 5  # some rows are valid
    document = {
        "catalog": [
            named("imp", index, copy, row)
            for copy in range(COPIES)
            for index, row in enumerate(ROWS)
        ]
    }
    report = transfer.import_document(document, apply=True, mode="partial")
    errors = import_errors(report)
    for index in range(len(ROWS)):
        for copy in range(COPIES):
            name = f"imp{index:02d}-{copy}"
            assert errors.get(name) == expected[index], (name, ROWS[index])
            if expected[index] is None:
                assert stored(name) == stored(f"sdk{index:02d}-0"), ROWS[index]
                single = record(f"sdk{index:02d}-0", "create").snapshot
                batch = record(name, "create").snapshot
                assert comparable(batch) == comparable(single), ROWS[index]
                assert set(batch) == set(single)


@pytest.mark.django_db
def test_updates_in_a_batch_record_the_changes_a_single_update_records(sdk):
    valid = [row for row in ROWS if sdk_outcome(sdk, named("probe", 0, 0, row)) is None]
    AvailableModel.objects.all().delete()
    ChangeRecord.objects.all().delete()
    change = {"family": "Mistral ", "tags": "x, y", "format": "safetensors", "version": "2"}
    singles, rows = [], []
    for index, row in enumerate(valid):
        created = sdk.models.available_model_registry.create(named("sdk", index, 0, row))
        sdk.models.available_model_registry.update(created["id"], change)
        singles.append(record(created["name"], "update"))
        sdk.models.available_model_registry.create(named("imp", index, 0, row))
        rows.append({"name": f"imp{index:02d}-0", **change})
    report = transfer.import_document({"catalog": rows}, apply=True)
    assert report["counts"]["catalog"]["updated"] == len(valid)
    for index, single in enumerate(singles):
        batch = record(f"imp{index:02d}-0", "update")
        assert batch.changes == single.changes
        assert comparable(batch.snapshot) == comparable(single.snapshot)
        assert stored(f"imp{index:02d}-0") == stored(f"sdk{index:02d}-0")


def test_a_shared_outcome_is_the_outcome_of_the_check_and_ends_with_the_batch():
    calls = []

    def check(value: str) -> str:
        calls.append(value)
        if value == "bad":
            raise ValidationError("bad value", code="invalid")
        return value.upper()

    field = AvailableModel._meta.get_field("family")
    with shared_checks.shared():
        results = [shared_checks.once("t", field, v, lambda v=v: check(v)) for v in "aab"]
        for _ in range(2):
            with pytest.raises(ValidationError) as caught:
                shared_checks.once("t", field, "bad", lambda: check("bad"))
            assert caught.value.messages == ["bad value"]
        # Only strings, numbers and booleans are shared, each type apart.
        shared_checks.once("t", field, 1, lambda: check("1"))
        shared_checks.once("t", field, True, lambda: check("True"))
        shared_checks.once("t", field, ["a"], lambda: check("list"))
        shared_checks.once("t", field, ["a"], lambda: check("list"))
    assert results == ["A", "A", "B"]
    assert calls == ["a", "b", "bad", "1", "True", "list", "list"]
    shared_checks.once("t", field, "a", lambda: check("a"))  # outside: checked again
    assert calls[-1] == "a" and len(calls) == 8


@pytest.mark.django_db
def test_a_value_repeated_in_a_chunk_is_checked_once_per_field(monkeypatch):
    """Both the storable-value check and the field's own check run once per distinct value
    of a chunk (``None`` and a choices member included); a JSON value shares its checks,
    each row keeping its own object; other chunks check again."""
    from inventory.models import base

    checked: list[tuple[str, object]] = []
    storable, cleaned = base._storable_message, base._cleaned

    def counting_storable(field, kind, value):
        checked.append(("storable", field.name, repr(value)))
        return storable(field, kind, value)

    def counting_clean(check, value, instance):
        checked.append(("clean", check.name, repr(value)))
        return cleaned(check, value, instance)

    monkeypatch.setattr(base, "_storable_message", counting_storable)
    monkeypatch.setattr(base, "_cleaned", counting_clean)
    monkeypatch.setattr(transfer.importer, "CHUNK_SIZE", 4)
    rows = [
        {"name": f"shared-{index}", "format": "GGUF", "metadata": {"k": [1, 2]}}
        for index in range(6)
    ]
    report = transfer.import_document({"catalog": rows}, apply=True)
    assert report["counts"]["catalog"]["created"] == 6
    # rows 0-3 are one chunk, rows 4-5 the next
    for kind in ("storable", "clean"):
        assert checked.count((kind, "format", "'GGUF'")) == 2
        assert checked.count((kind, "metadata", "{'k': [1, 2]}")) == 2
        assert checked.count((kind, "summary", "''")) == 2
    assert checked.count(("clean", "remote_url", "''")) == 2
    default_status = repr(AvailableModel._meta.get_field("status").get_default())
    assert checked.count(("clean", "status", default_status)) == 2  # a choices member
    assert checked.count(("storable", "id", "None")) == 2
    assert sum(item[1] == "name" for item in checked if item[0] == "clean") == 6
    stored = AvailableModel.objects.filter(name__startswith="shared-")
    assert {row.format for row in stored} == {"gguf"}
    assert all(row.metadata == {"k": [1, 2]} for row in stored)


def test_rows_sharing_a_json_value_keep_their_own_object():
    from inventory.models import base

    first, second = AvailableModel(name="a"), AvailableModel(name="b")
    first.metadata, second.metadata = {"k": 1}, {"k": 1}
    kept = second.metadata
    plan = base.field_plan(AvailableModel)
    with shared_checks.shared():
        for instance in (first, second):
            assert base._shared_field_checks(instance, plan, set(), shared_checks.outcomes()) == {}
    assert second.metadata is kept


@pytest.mark.django_db
def test_a_requirement_repeated_in_a_chunk_is_checked_once(monkeypatch):
    from inventory.models import available_model

    checked = []
    rule = available_model.megabyte_errors

    def counting(key, value):
        checked.append((key, value))
        return rule(key, value)

    monkeypatch.setattr(available_model, "megabyte_errors", counting)
    rows = [
        {"name": f"req-{index}", "requirements": {"vram_mb": index, "ram_mb": -1}}
        for index in range(3)
    ]
    report = transfer.import_document({"catalog": rows}, mode="partial", apply=True)
    assert report["counts"]["catalog"]["refused"] == 3
    messages = {item["message"] for item in report["errors"]}
    assert messages == {"requirements.ram_mb must be a non-negative integer, got -1"}
    assert checked.count(("requirements.ram_mb", -1)) == 1
    assert sorted(v for k, v in checked if k == "requirements.vram_mb") == [0, 1, 2]


ODD_NAMES = ["o'brien", 'say "hi"', "back\\slash", "a,b", "{x}", "NULL", "ünïcode", "  padded"]


@pytest.mark.django_db
def test_existing_rows_with_odd_names_are_found_by_the_chunk_lookup(sdk):
    """The chunk's stored rows are looked up by name (on PostgreSQL as one array
    parameter): names with quotes, separators, braces or ``NULL`` match their rows."""
    for name in ODD_NAMES:
        sdk.models.available_model_registry.create({"name": name})
    rows = [{"name": name, "version": "2"} for name in ODD_NAMES]
    report = transfer.import_document({"catalog": rows}, apply=True)
    assert report["counts"]["catalog"] == {
        "created": 0,
        "updated": len(ODD_NAMES),
        "unchanged": 0,
        "refused": 0,
    }
    assert AvailableModel.objects.count() == len(ODD_NAMES)
    assert set(AvailableModel.objects.values_list("version", flat=True)) == {"2"}
