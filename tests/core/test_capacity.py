"""Engine capacity: required vs available, refusal beyond it unless allowed, filters, warnings."""

from __future__ import annotations

import pytest

from inventory.capacity import humanize_mb
from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel

pytestmark = pytest.mark.django_db

GB = 1024


@pytest.fixture
def gpu(sdk):
    """An engine with an 80 GB card and 64 GB of RAM, one active model using 60 GB."""
    engine = sdk.models.engine_registry.create(
        {"name": "vllm-a100", "provider": "vllm", "vram_total_mb": 80 * GB, "ram_total_mb": 64 * GB}
    )
    sdk.models.model_registry.create(
        {"name": "big", "engine_id": engine["id"], "vram_required_mb": 60 * GB, "status": "active"}
    )
    return engine


def test_humanized_units():
    assert humanize_mb(80 * GB) == "80 GB"
    assert humanize_mb(1536) == "1.5 GB"
    assert humanize_mb(512) == "512 MB"
    assert humanize_mb(None) == "—"


def test_engine_rows_carry_capacity_and_use(sdk, gpu):
    row = sdk.models.engine_registry.view(gpu["id"])
    assert (row["vram_total_mb"], row["vram_used_mb"], row["over_capacity"]) == (
        81920,
        61440,
        False,
    )


def test_activating_beyond_capacity_is_refused_without_the_override(sdk, gpu):
    models = sdk.models.model_registry
    extra = models.create({"name": "extra", "engine_id": gpu["id"], "vram_required_mb": 30 * GB})
    with pytest.raises(RegistryValidationError) as caught:
        models.update(extra["id"], {"status": "active"})
    assert caught.value.errors["status"] == [
        "engine 'vllm-a100' has 80 GB of VRAM; its active models would need 90 GB with this one "
        "(30 GB); set allow_over_capacity to go beyond the engine's capacity"
    ]
    assert models.view(extra["id"])["status"] == "available"
    row = models.update(extra["id"], {"status": "active"}, allow_over_capacity=True)
    assert row["status"] == "active" and row["over_capacity"] is True
    assert any("over capacity" in warning for warning in row["warnings"])
    assert sdk.models.engine_registry.view(gpu["id"])["over_capacity"] is True


def test_creating_active_and_growing_are_checked_too(sdk, gpu):
    models = sdk.models.model_registry
    with pytest.raises(RegistryValidationError) as caught:
        models.create(
            {"name": "n", "engine_id": gpu["id"], "vram_required_mb": 30 * GB, "status": "active"}
        )
    assert "engine_id" in caught.value.errors
    big = RegisteredModel.objects.get(name="big")
    with pytest.raises(RegistryValidationError) as caught:
        models.update(big.pk, {"vram_required_mb": 90 * GB})
    assert "vram_required_mb" in caught.value.errors
    # an unrelated edit of a row on an over-committed engine stays possible
    models.update(big.pk, {"vram_required_mb": 90 * GB}, allow_over_capacity=True)
    assert models.update(big.pk, {"version": "2"})["version"] == "2"


def test_engines_without_capacity_are_never_limited(sdk, engine):
    row = sdk.models.model_registry.create(
        {"name": "huge", "engine_id": engine["id"], "vram_required_mb": 10**6, "status": "active"}
    )
    assert row["over_capacity"] is False and row["warnings"] == []


def test_bind_beyond_capacity_needs_the_override(sdk, gpu):
    catalog = sdk.models.available_model_registry.create(
        {"name": "llama-70b", "requirements": {"vram_mb": 40 * GB}}
    )
    with pytest.raises(RegistryValidationError, match="allow_over_capacity"):
        sdk.workflows.bind(gpu["id"], catalog["id"])
    bound = sdk.workflows.bind(gpu["id"], catalog["id"], allow_over_capacity=True)
    assert bound["row"]["status"] == "active"


def test_bulk_move_counts_the_rows_moved_before(sdk, gpu, engine):
    models = sdk.models.model_registry
    ids = [
        models.create(
            {
                "name": f"m{i}",
                "engine_id": engine["id"],
                "vram_required_mb": 8 * GB,
                "status": "active",
            }
        )["id"]
        for i in range(4)
    ]
    # 60 GB used: two 8 GB models fit (76 GB), the third does not (84 GB)
    with pytest.raises(RegistryValidationError) as caught:
        models.select(ids=ids).move_to_engine(gpu["id"])
    refused = [item["id"] for item in caught.value.report["items"] if item["result"] == "refused"]
    assert refused == ids[2:]
    assert models.count({"engine_id": gpu["id"]}) == 1
    report = models.select(ids=ids).move_to_engine(gpu["id"], allow_over_capacity=True)
    assert report["changed"] == 4


def test_over_capacity_and_engine_status_filters(sdk, gpu, engine):
    models = sdk.models.model_registry
    calm = models.create({"name": "calm", "engine_id": engine["id"], "status": "active"})
    models.create(
        {"name": "more", "engine_id": gpu["id"], "vram_required_mb": 30 * GB, "status": "active"},
        allow_over_capacity=True,
    )
    assert {row["name"] for row in models.all({"over_capacity": 1})["rows"]} == {"big", "more"}
    assert [row["name"] for row in models.all({"over_capacity": 0})["rows"]] == ["calm"]
    engines = sdk.models.engine_registry
    assert [row["name"] for row in engines.all({"over_capacity": "true"})["rows"]] == ["vllm-a100"]
    sdk.models.engine_registry.update(engine["id"], {"status": "error"})
    in_error = models.all({"engine_status": "error"})["rows"]
    assert [row["id"] for row in in_error] == [calm["id"]]
    assert in_error[0]["warnings"] == ["active on engine 'ollama-test', which is in error"]


def test_catalog_warnings_lost_link_and_out_of_sync(sdk, engine):
    catalog = sdk.models.available_model_registry.create({"name": "qwen", "version": "1"})
    bound = sdk.workflows.bind(engine["id"], catalog["id"])["row"]
    assert bound["warnings"] == []
    sdk.models.available_model_registry.update(catalog["id"], {"version": "2"})
    warnings = sdk.models.model_registry.view(bound["id"])["warnings"]
    assert warnings == [
        "out of sync with catalog model 'qwen': version differ (reconcile to update)"
    ]
    sdk.models.available_model_registry.delete(catalog["id"])
    assert sdk.models.model_registry.view(bound["id"])["warnings"] == [
        "catalog link lost: the catalog model it was bound from was deleted"
    ]


def test_import_beyond_capacity_needs_the_override(sdk, gpu):
    document = sdk.workflows.export_inventory()
    sdk.models.model_registry.create(
        {"name": "extra", "engine_id": gpu["id"], "vram_required_mb": 30 * GB}
    )
    sdk.models.model_registry.update(
        RegisteredModel.objects.get(name="extra").pk, {"status": "active"}, allow_over_capacity=True
    )
    exported = sdk.workflows.export_inventory()
    assert '"vram_total_mb": 81920' in exported
    RegisteredModel.objects.all().delete()
    from inventory.models import Engine

    Engine.objects.all().delete()
    report = sdk.workflows.import_inventory(exported)
    assert any("allow_over_capacity" in str(error) for error in report["errors"])
    report = sdk.workflows.import_inventory(exported, apply=True, allow_over_capacity=True)
    assert report["applied"] is True
    assert sdk.workflows.export_inventory() == exported
    assert document != exported


def test_reconcile_beyond_capacity_needs_the_override(sdk, gpu):
    catalog = sdk.models.available_model_registry.create(
        {"name": "grows", "requirements": {"vram_mb": 10 * GB}}
    )
    bound = sdk.workflows.bind(gpu["id"], catalog["id"])["row"]
    sdk.models.available_model_registry.update(
        catalog["id"], {"requirements": {"vram_mb": 40 * GB}}
    )
    with pytest.raises(RegistryValidationError, match="allow_over_capacity"):
        sdk.workflows.apply_reconcile(bound["id"])
    result = sdk.workflows.apply_reconcile(bound["id"], allow_over_capacity=True)
    assert result["row"]["vram_required_mb"] == 40 * GB
