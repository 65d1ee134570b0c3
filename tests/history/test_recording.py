"""Change records: what a write leaves behind, in its transaction, with its actor."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from inventory import history
from inventory.models import ChangeRecord, Engine

pytestmark = pytest.mark.django_db


def records(**filters) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(**filters).order_by("id"))


def test_sdk_create_update_delete_are_recorded_as_shell(sdk):
    row = sdk.models.engine_registry.create({"name": "e1", "provider": "ollama"})
    sdk.models.engine_registry.update(row["id"], {"provider": "vllm", "status": "active"})
    sdk.models.engine_registry.delete(row["id"])
    created, updated, deleted = records(entity="engine_registry", object_id=row["id"])
    assert [created.action, updated.action, deleted.action] == ["create", "update", "delete"]
    assert {created.actor, updated.actor, deleted.actor} == {"shell"}
    assert created.field_changes["name"] == {"before": None, "after": "e1"}
    assert updated.field_changes == {
        "provider": {"before": "ollama", "after": "vllm"},
        "status": {"before": "uninstalled", "after": "active"},
    }
    assert deleted.snapshot["name"] == "e1" and deleted.snapshot["provider"] == "vllm"
    assert len({created.operation, updated.operation, deleted.operation}) == 3


def test_operation_groups_writes_and_names_the_actor(sdk):
    with history.operation(actor="sync-job", source="shell") as operation:
        sdk.models.engine_registry.create({"name": "a", "provider": "ollama"})
        sdk.models.engine_registry.create({"name": "b", "provider": "ollama"})
    rows = records(entity="engine_registry")
    assert [row.actor for row in rows] == ["sync-job", "sync-job"]
    assert {row.operation for row in rows} == {operation.id}


def test_rolled_back_write_leaves_no_record(sdk):
    with transaction.atomic():
        sdk.models.engine_registry.create({"name": "gone", "provider": "ollama"})
        transaction.set_rollback(True)
    assert not Engine.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_refused_write_leaves_no_record(sdk, engine):
    before = ChangeRecord.objects.count()
    with pytest.raises(sdk.ValidationError):
        sdk.models.engine_registry.update(engine["id"], {"status": "nonsense"})
    assert ChangeRecord.objects.count() == before


def test_credentials_in_engine_config_are_masked(sdk):
    row = sdk.models.engine_registry.create(
        {
            "name": "openai",
            "provider": "openai",
            "config": {"api_key": "sk-live-123", "base_url": "https://x", "auth": {"token": "t"}},
        }
    )
    sdk.models.engine_registry.update(row["id"], {"config": {"api_key": "sk-live-456"}})
    created, updated = records(object_id=row["id"], entity="engine_registry")
    for record in (created, updated):
        assert "sk-live" not in str(record.snapshot) + str(record.field_changes)
    assert created.snapshot["config"]["base_url"] == "https://x"
    assert created.snapshot["config"]["api_key"] == history.recording.MASK


def test_deleting_a_catalog_row_records_the_rows_it_unlinks(sdk, engine, catalog_model):
    model = sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "available_model_id": catalog_model["id"]}
    )
    sdk.models.available_model_registry.delete(catalog_model["id"])
    unlinked = records(entity="model_registry", object_id=model["id"], action="update")[-1]
    assert unlinked.field_changes == {
        "available_model_id": {"before": catalog_model["id"], "after": None}
    }


def test_management_command_is_the_actor(sdk, engine, catalog_model):
    call_command("bind_model", str(engine["id"]), str(catalog_model["id"]), stdout=None)
    record = records(entity="model_registry")[-1]
    assert (record.actor, record.source, record.action) == (
        "manage.py bind_model",
        "command",
        "create",
    )
    assert record.field_changes["status"]["after"] == "active"


def test_a_name_marked_secret_later_leaves_history_too(sdk):
    from inventory.models import SecretConfigKey

    row = sdk.models.engine_registry.create(
        {"name": "custom", "provider": "openai", "config": {"x_custom_auth": "hunter2"}}
    )
    sdk.models.engine_registry.update(row["id"], {"config": {"x_custom_auth": "hunter3"}})
    assert "hunter" in str(list(ChangeRecord.objects.values("snapshot", "changes")))
    SecretConfigKey.objects.create(name="x_custom_auth")
    assert "hunter" not in str(list(ChangeRecord.objects.values("snapshot", "changes")))
    feed = sdk.changes.since(None)["changes"]
    assert feed[-1]["snapshot"]["config"] == {"x_custom_auth": history.recording.MASK}


def test_a_snapshot_holds_a_choices_member_as_its_text():
    """A default from a field's choices is a ``str`` subclass: the snapshot keeps its text as
    a plain string, what its JSON stores anyway, so the batch path writes it with orjson."""
    from inventory.history import recording
    from inventory.json_text import plain
    from inventory.models import AvailableModel

    instance = AvailableModel(name="m")
    assert type(instance.status) is not str  # the model's default, a choices member
    snapshot = recording.state(instance)
    assert type(snapshot["status"]) is str and snapshot["status"] == "available"
    assert type(snapshot["source_kind"]) is str and snapshot["source_kind"] == "manual"
    assert plain(snapshot) is not None


def test_a_batch_created_row_records_the_snapshot_a_single_save_records(sdk):
    from inventory.workflows import transfer

    sdk.models.available_model_registry.create({"name": "single"})
    transfer.import_document({"catalog": [{"name": "batch"}]}, apply=True)
    single, batch = (
        ChangeRecord.objects.get(object_name=name, action="create") for name in ("single", "batch")
    )
    stamps = {"id", "name", "label", "created_at", "updated_at"}
    assert {k: v for k, v in batch.snapshot.items() if k not in stamps} == {
        k: v for k, v in single.snapshot.items() if k not in stamps
    }
    assert batch.snapshot["status"] == "available"


def test_a_built_record_holds_each_value_in_its_own_field(sdk):
    """``build`` gives the values by position: each lands in the field it names."""
    import uuid

    from inventory.history import context, recording
    from inventory.models import AvailableModel

    row = AvailableModel.objects.create(name="positional")
    operation = context.Operation(actor="someone", source="api", id=uuid.uuid4())
    after = recording.state(row)
    record = recording.build(row, ChangeRecord.Action.CREATE, None, after, operation)
    assert record.pk is None and record.time is not None
    assert (record.entity, record.object_id, record.object_name) == (
        "available_model_registry",
        row.pk,
        "positional",
    )
    assert (record.action, record.changes, record.snapshot) == ("create", {}, after)
    assert (record.actor, record.source, record.operation) == ("someone", "api", operation.id)
    assert record.restored_from is None


def test_the_loaded_state_does_not_depend_on_the_order_columns_were_read_in(sdk):
    from inventory.history import recording
    from inventory.models import AvailableModel

    AvailableModel.objects.create(name="ordered", status="failed")
    loaded = AvailableModel.objects.get(name="ordered")
    names = [field.attname for field in AvailableModel._meta.concrete_fields]
    values = [getattr(loaded, name) for name in names]
    reordered = AvailableModel.from_db("default", names[::-1], values[::-1])
    expected = recording.stored_state(loaded)
    assert expected is not None and expected["status"] == "failed"
    assert recording.stored_state(reordered) == expected
    assert list(recording.stored_state(reordered)) == names
    partial = AvailableModel.objects.only("name").get(name="ordered")
    assert recording.stored_state(partial) is None
