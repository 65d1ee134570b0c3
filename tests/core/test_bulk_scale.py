"""Bulk operations at scale: queries constant in the row count, all or nothing on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.bulk import BulkRefusedError
from inventory.models import ChangeRecord, Engine, KnowledgeSettings, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

ROWS = 1000
HISTORY_TABLE = ChangeRecord._meta.db_table


def _rows(engine: Engine, count: int, prefix: str, **fields) -> list[int]:
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"{prefix}-{index:04d}", engine=engine, **fields)
        for index in range(count)
    )
    return list(
        RegisteredModel.objects.filter(name__startswith=f"{prefix}-").values_list("pk", flat=True)
    )


def _queries(call) -> tuple[int, int]:
    """``(queries of the operation, INSERTs of its change records)``: the change records are
    written in batches (``batch_writes.insert_rows``), the operation itself in a constant number."""
    with CaptureQueriesContext(connection) as captured:
        call()
    sql = [query["sql"] for query in captured.captured_queries]
    # INSERT on SQLite, COPY on PostgreSQL
    writes = (f'INSERT INTO "{HISTORY_TABLE}"', f'COPY "{HISTORY_TABLE}"')
    history = [item for item in sql if item.startswith(writes)]
    return len(sql) - len(history), len(history)


OPERATIONS = {
    "move": lambda selection, target: selection.move_to_engine(target.pk),
    "update": lambda selection, target: selection.update(
        {"status": "active", "is_downloaded": 1, "add_capabilities": "chat"}
    ),
    "deactivate": lambda selection, target: selection.deactivate(),
    "dry_run": lambda selection, target: selection.update({"status": "disabled"}, dry_run=True),
    "delete": lambda selection, target: selection.delete(),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_bulk_queries_do_not_grow_with_rows(operation):
    source = Engine.objects.create(name="source", provider="ollama", vram_total_mb=10**6)
    target = Engine.objects.create(name="target", provider="ollama", vram_total_mb=10**6)
    KnowledgeSettings.load()
    small = _rows(source, 10, "small", status="active", vram_required_mb=10)
    large = _rows(source, ROWS, "large", status="active", vram_required_mb=10)
    models = module_sdk.models.model_registry
    run = OPERATIONS[operation]
    (few, few_records) = _queries(lambda: run(models.select(ids=small), target))
    (many, many_records) = _queries(lambda: run(models.select(filters={"name": "large-"}), target))
    assert few == many, (few, many)
    assert few <= 12
    if operation == "dry_run":
        assert few_records == many_records == 0
    else:
        # one change record per row, inserted in batches, never one INSERT per row
        assert few_records == 1 and many_records <= ROWS // 50
        records = ChangeRecord.objects.filter(entity="model_registry", object_id__in=large)
        assert records.count() == ROWS
    if operation == "delete":
        assert not RegisteredModel.objects.filter(pk__in=large).exists()
    elif operation == "move":
        assert RegisteredModel.objects.filter(engine=target).count() == ROWS + 10


def test_a_refused_row_among_1000_leaves_all_1000_unchanged():
    engine = Engine.objects.create(name="e", provider="ollama")
    ids = _rows(engine, ROWS, "row", capabilities="chat,embedding")
    conflicting = ids[499]
    RegisteredModel.objects.filter(pk=conflicting).update(extra_config={"dim": 8})
    before = list(RegisteredModel.objects.order_by("pk").values_list("capabilities", "updated_at"))
    with pytest.raises(BulkRefusedError) as caught:
        module_sdk.models.model_registry.select(ids=ids).update(
            {"remove_capabilities": "embedding", "status": "disabled"}
        )
    assert list(caught.value.errors) == [f"{conflicting}.extra_config"]
    report = caught.value.report
    assert (report["matched"], report["refused"], report["applied"]) == (ROWS, 1, False)
    after = list(RegisteredModel.objects.order_by("pk").values_list("capabilities", "updated_at"))
    assert after == before
    assert not RegisteredModel.objects.filter(status="disabled").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_failure_midway_rolls_back_every_group_on_postgres(monkeypatch):
    """Rows end in two groups (two UPDATEs); the second UPDATE fails in the database: the first
    group's rows are unchanged too."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    engine = Engine.objects.create(name="e", provider="ollama")
    ids = _rows(engine, ROWS // 2, "chat", capabilities="chat")
    ids += _rows(engine, ROWS // 2, "embed", capabilities="embedding", extra_config={"dim": 4})
    from django.db.models import QuerySet

    original = QuerySet.update
    calls = {"count": 0}

    def failing_update(self, **values):
        calls["count"] += 1
        if calls["count"] == 2:
            from django.db import IntegrityError

            raise IntegrityError("simulated failure in the second UPDATE")
        return original(self, **values)

    monkeypatch.setattr(QuerySet, "update", failing_update)
    with pytest.raises(ValueError, match="concurrent write"):
        module_sdk.models.model_registry.select(ids=ids).update({"add_capabilities": "reasoning"})
    monkeypatch.undo()
    assert calls["count"] == 2
    assert not RegisteredModel.objects.filter(capabilities__contains="reasoning").exists()
