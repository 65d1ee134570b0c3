"""Imports on PostgreSQL write each chunk from a helper thread while the next one is validated
(``inventory.write_behind``): they store, record and report exactly what the serial path
does, stay one transaction, and a write that fails in the helper ends as the serial path's
refusal, naming row and field."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

import pytest
from django.db import connection

from inventory import batch_writes, write_behind
from inventory.models import AvailableModel, ChangeRecord
from inventory.workflows import transfer
from inventory.workflows.transfer import importer

pytestmark = pytest.mark.postgres

CHUNK = 4
STORED = ("name", "label", "family", "format", "capabilities", "tags", "requirements", "status")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_SIZE", CHUNK)


@pytest.fixture
def helper_sends(monkeypatch) -> list[str]:
    """The names of the threads that sent statements from the helper (``raw``)."""
    threads: list[str] = []
    send = batch_writes.send

    def spy(conn, statements, raw=False):
        if raw:
            threads.append(threading.current_thread().name)
        return send(conn, statements, raw)

    monkeypatch.setattr(batch_writes, "send", spy)
    return threads


def serially(monkeypatch) -> None:
    @contextmanager
    def no_helper(using):
        yield None

    monkeypatch.setattr(write_behind.WriteBehind, "opened", no_helper)


def rows(prefix: str) -> list[dict]:
    """Creates, updates of stored rows, an unchanged row and refusals, over several chunks."""
    result = []
    for index in range(11):
        row = {
            "name": f"{prefix}-{index:02d}",
            "family": "new" if index % 3 else "old",
            "format": "GGUF",
            "capabilities": "chat, tool_calling" if index % 2 else "embedding",
            "tags": ["b", "a"],
            "requirements": {"vram_mb": index},
        }
        if index == 7:
            row["status"] = "broken"
        result.append(row)
    return result


def outcome(prefix: str, monkeypatch) -> tuple[dict, list, list]:
    """Import the rows (three stored first) in partial mode: the report, the stored rows and
    the change records of the import, without ids and times."""
    given = rows(prefix)
    stored_first = [{"name": given[index]["name"], "family": "x"} for index in (1, 5)]
    transfer.import_document({"catalog": [*stored_first, given[9]]}, apply=True)
    since = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first()
    report = transfer.import_document({"catalog": rows(prefix)}, apply=True, mode="partial")
    stored = list(
        AvailableModel.objects.filter(name__startswith=prefix).order_by("name").values(*STORED)
    )
    records = [
        (
            record.action,
            record.object_name,
            record.changes,
            {
                k: v
                for k, v in record.snapshot.items()
                if k not in {"id", "created_at", "updated_at"}
            },
        )
        for record in ChangeRecord.objects.filter(id__gt=since).order_by("id")
    ]
    return report, stored, records


def renamed(value, prefix: str):
    """``value`` with the prefix of its names replaced, to compare two runs."""
    if isinstance(value, dict):
        return {key: renamed(item, prefix) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [renamed(item, prefix) for item in value]
    if isinstance(value, str):
        return value.replace(prefix, "P")
    return value


def test_the_helper_writes_what_the_serial_path_writes(db, small_chunks, helper_sends, monkeypatch):
    helped = outcome("helped", monkeypatch)
    assert helper_sends and all(name.startswith("write-behind") for name in helper_sends)
    serially(monkeypatch)
    helper_sends.clear()
    serial = outcome("serial", monkeypatch)
    assert not helper_sends
    assert renamed(helped, "helped") == renamed(serial, "serial")
    report, stored, records = helped
    assert report["counts"]["catalog"] == {"created": 7, "updated": 2, "unchanged": 1, "refused": 1}
    assert [item["field"] for item in report["errors"]] == ["status"]
    assert len(records) == 9 and len(stored) == 10


def test_a_refusal_in_a_later_chunk_undoes_the_earlier_chunks(db, small_chunks, helper_sends):
    before = ChangeRecord.objects.count()
    with pytest.raises(transfer.InventoryImportError) as refused:
        transfer.import_document({"catalog": rows("all")}, apply=True)
    assert helper_sends  # chunks 1 and 2 went through the helper before row 8 was refused
    assert [(item["row"], item["field"]) for item in refused.value.report["errors"]] == [
        (8, "status")
    ]
    assert not AvailableModel.objects.filter(name__startswith="all").exists()
    assert ChangeRecord.objects.count() == before


def test_a_write_failing_in_the_helper_ends_as_the_serial_refusal(
    db, small_chunks, helper_sends, monkeypatch
):
    """A row another writer stored after the lookup: the helper's ``COPY`` fails, its chunk is
    rolled back to its savepoint and written again serially, which names the row."""
    insert_statements = batch_writes.insert_statements
    raced_once = []

    def raced(model, instances, conn, *args, **kwargs):
        if not raced_once and any(getattr(i, "name", "") == "race-06" for i in instances):
            raced_once.append(True)
            with conn.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO available_model_registry (created_at, updated_at, name, label,"
                    " catalog_model_id, source_kind, provider_hint, format, family, summary,"
                    " storage_ref, remote_url, version, capabilities, extended_capabilities,"
                    " interfaces, tags, requirements, artifacts, metadata, source_payload,"
                    " extra_config, status, quantization) VALUES (now(), now(), 'RACE-06', '',"
                    " '', 'manual', '', '', '', '', '', '', '', '', '', '', '', '{}', '[]', '{}',"
                    " '{}', '{}', 'available', '')"
                )
        return insert_statements(model, instances, conn, *args, **kwargs)

    monkeypatch.setattr(batch_writes, "insert_statements", raced)
    catalog = [row for row in rows("race") if row.get("status") is None]
    report = transfer.import_document({"catalog": catalog}, apply=True, mode="partial")
    refused = [(item["name"], item["field"], item["message"]) for item in report["errors"]]
    assert refused == [("race-06", "name", 'available model name already in use (by "RACE-06")')]
    stored = set(
        AvailableModel.objects.filter(name__istartswith="race").values_list("name", flat=True)
    )
    assert stored == {row["name"] for row in catalog if row["name"] != "race-06"} | {"RACE-06"}
    created = ChangeRecord.objects.filter(object_name__startswith="race-", action="create")
    assert created.count() == len(catalog) - 1
    assert raced_once and helper_sends


def test_a_query_during_validation_sees_every_earlier_chunk_written(
    db, small_chunks, helper_sends, monkeypatch
):
    """A statement of the importing thread waits for the chunk in flight, records included."""
    seen: list[tuple[int, int]] = []
    validate = transfer.Importer.validate

    def counting(self, section, chunk, names):
        seen.append(
            (
                AvailableModel.objects.filter(name__startswith="seen").count(),
                ChangeRecord.objects.filter(object_name__startswith="seen").count(),
            )
        )
        return validate(self, section, chunk, names)

    monkeypatch.setattr(transfer.Importer, "validate", counting)
    transfer.import_document({"catalog": [{"name": f"seen{i}"} for i in range(10)]}, apply=True)
    assert seen == [(0, 0), (4, 4), (8, 8)]
    assert helper_sends


def test_an_error_of_the_helper_that_is_not_the_database_s_leaves_nothing_written(
    db, small_chunks, monkeypatch
):
    send = batch_writes.send
    calls = []

    def broken(conn, statements, raw=False):
        calls.append(raw)
        if raw and len(calls) > 1:
            raise RuntimeError("helper broke")
        return send(conn, statements, raw)

    monkeypatch.setattr(batch_writes, "send", broken)
    before = ChangeRecord.objects.count()
    with pytest.raises(RuntimeError, match="helper broke"):
        transfer.import_document({"catalog": [{"name": f"b{i}"} for i in range(10)]}, apply=True)
    assert not AvailableModel.objects.filter(name__startswith="b").exists()
    assert ChangeRecord.objects.count() == before
    assert connection.in_atomic_block  # the test's transaction, still usable
    assert AvailableModel.objects.count() >= 0


def test_threads_switch_promptly_while_the_helper_writes(db, small_chunks, monkeypatch):
    before = sys.getswitchinterval()
    seen: list[float] = []
    send = batch_writes.send

    def spy(conn, statements, raw=False):
        seen.append(sys.getswitchinterval())
        return send(conn, statements, raw)

    monkeypatch.setattr(batch_writes, "send", spy)
    outcome("prompt", monkeypatch)
    assert seen and set(seen) == {write_behind.SWITCH_INTERVAL}
    assert sys.getswitchinterval() == before


def test_overlapping_prompt_switches_restore_the_interval_found_first():
    before = sys.getswitchinterval()
    first, second = write_behind.prompt_switches(), write_behind.prompt_switches()
    first.__enter__()
    second.__enter__()
    assert sys.getswitchinterval() == write_behind.SWITCH_INTERVAL
    first.__exit__(None, None, None)  # the first to open ends first
    assert sys.getswitchinterval() == write_behind.SWITCH_INTERVAL
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), write_behind.prompt_switches():
        raise RuntimeError
    assert sys.getswitchinterval() == before
