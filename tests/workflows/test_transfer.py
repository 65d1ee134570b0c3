"""Export and import the inventory: round trip, dry run, all-or-nothing, CSV, command."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from inventory import demo
from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel


def empty_database() -> None:
    KnowledgeSettings.objects.all().delete()
    RegisteredModel.objects.all().delete()
    AvailableModel.objects.all().delete()
    Engine.objects.all().delete()


@pytest.fixture
def demo_inventory(db, sdk) -> None:
    demo.load()
    engine = sdk.models.engine_registry.create(
        {
            "name": "Zürich-GPU ☃",
            "provider": "LlamaCPP",
            "config": {"z": [3, {"b": 1, "a": 2}], "a": None, "nested": {"y": 1.5, "x": "é"}},
        }
    )
    catalog = sdk.models.available_model_registry.create(
        {
            "name": "aaa/Multi Line",
            "summary": "line one\nline two: 'quoted' \"double\"",
            "capabilities": ["Embeddings", "offline"],
            "tags": "b,a",
            "artifacts": [{"file": "model.onnx", "sha256": "00"}],
            "metadata": {"b": 2, "a": 1},
            "extra_config": {"dim": 384},
        }
    )
    sdk.models.model_registry.create(
        {"name": "unlinked", "engine_id": engine["id"], "extra_config": {"source_mode": "x"}}
    )
    sdk.workflows.bind(engine["id"], catalog["id"])


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_export_empty_import_export_is_byte_identical(demo_inventory, sdk, fmt):
    first = sdk.workflows.export_inventory(fmt)
    empty_database()
    report = sdk.workflows.import_inventory(first, fmt, apply=True)
    assert report["applied"] is True and report["errors"] == []
    assert report["counts"]["registered_models"]["created"] == RegisteredModel.objects.count()
    second = sdk.workflows.export_inventory(fmt)
    assert second == first
    # importing the same file again changes nothing
    again = sdk.workflows.import_inventory(second, fmt, apply=True)
    assert {action for action in (row["action"] for row in again["rows"])} == {"unchanged"}


def test_export_is_parseable_and_refers_by_name(demo_inventory, sdk):
    document = json.loads(sdk.workflows.export_inventory("json"))
    assert document == yaml.safe_load(sdk.workflows.export_inventory("yaml"))
    assert list(document) == [
        "format",
        "version",
        "engines",
        "catalog",
        "registered_models",
        "knowledge",
    ]
    llama = next(row for row in document["registered_models"] if row["name"] == "llama3.1-8b")
    assert llama["engine"] == "ollama-workstation"
    assert llama["available_model"] == "llama3.1:8b"
    assert "id" not in llama and "updated_at" not in llama and "engine_id" not in llama
    assert document["knowledge"] == {"enabled": True, "embedding_model": "nomic-embed-text"}
    names = [row["name"] for row in document["catalog"]]
    assert names == sorted(names, key=lambda name: name.encode())


def catalog_rows(count: int) -> list[dict]:
    return [
        {
            "name": f"org/model-{index:05d}",
            "capabilities": "chat,tool_calling" if index % 2 else "embedding",
            "format": "gguf",
            "requirements": {"vram_mb": index, "ram_mb": 2 * index},
            "extra_config": {} if index % 2 else {"dim": 768},
            "tags": "bulk",
        }
        for index in range(count)
    ]


def test_ten_thousand_rows_all_or_nothing(db, sdk, django_assert_max_num_queries):
    rows = catalog_rows(10_000)
    rows[7320]["capabilities"] = "chat,telepathy"  # row 7321 (1-based)
    text = json.dumps({"catalog": rows})
    with pytest.raises(RegistryValidationError) as caught:
        sdk.workflows.import_inventory(text, "json", apply=True)
    errors = caught.value.report["errors"]
    assert [(e["section"], e["row"], e["name"], e["field"]) for e in errors] == [
        ("catalog", 7321, "org/model-07320", "capabilities")
    ]
    assert "telepathy" in errors[0]["message"]
    assert str(caught.value).startswith("catalog row 7321 ('org/model-07320'), capabilities:")
    assert not AvailableModel.objects.exists()  # the first 7 chunks were rolled back

    del rows[7320]
    text = json.dumps({"catalog": rows})
    # Lookups and inserts are batched: the query count does not grow with one query per row.
    with django_assert_max_num_queries(1000):
        report = sdk.workflows.import_inventory(text, "json", apply=True)
    assert report["counts"]["catalog"]["created"] == 9_999
    assert AvailableModel.objects.count() == 9_999
    assert AvailableModel.objects.get(name="org/model-00001").capabilities == "chat,tool_calling"


def test_dry_run_reports_each_row_and_writes_nothing(db, sdk, engine):
    sdk.models.available_model_registry.create({"name": "same", "capabilities": "chat"})
    sdk.models.available_model_registry.create({"name": "changes", "version": "1"})
    document = {
        "engines": [{"name": "new-engine", "provider": "vllm"}],
        "catalog": [
            {"name": "same", "capabilities": "completion"},
            {"name": "changes", "version": "2"},
            {"name": "bad", "format": "exe"},
            {"name": "bad", "format": "gguf"},
            "not a row",
        ],
        "registered_models": [
            {"name": "on-new", "engine": "new-engine", "available_model": "changes"},
            {"name": "lost", "engine": "nowhere"},
        ],
    }
    report = sdk.workflows.import_inventory(json.dumps(document))
    assert report["applied"] is False
    actions = [(r["section"], r["row"], r["action"]) for r in report["rows"]]
    assert actions == [
        ("engines", 1, "created"),
        ("catalog", 1, "unchanged"),
        ("catalog", 2, "updated"),
        ("catalog", 3, "refused"),
        ("catalog", 4, "refused"),
        ("catalog", 5, "refused"),
        ("registered_models", 1, "created"),
        ("registered_models", 2, "refused"),
    ]
    errors = {(e["section"], e["row"], e["field"]): e["message"] for e in report["errors"]}
    assert "format" in errors[("catalog", 3, "format")]
    assert errors[("catalog", 4, "name")] == "available model name already in use"
    assert errors[("catalog", 5, "row")] == "each row must be an object"
    assert errors[("registered_models", 2, "engine")] == "engine 'nowhere' does not exist"
    assert not Engine.objects.filter(name="new-engine").exists()
    assert AvailableModel.objects.get(name="changes").version == "1"


def test_apply_updates_existing_rows_partially(db, sdk, engine):
    item = sdk.models.available_model_registry.create(
        {"name": "keep", "family": "llama", "version": "1"}
    )
    report = sdk.workflows.import_inventory(
        json.dumps({"catalog": [{"id": 999, "name": "keep", "version": "2"}]}), apply=True
    )
    assert report["counts"]["catalog"]["updated"] == 1
    row = sdk.models.available_model_registry.view(item["id"])
    assert (row["family"], row["version"]) == ("llama", "2")


def test_knowledge_section_errors_name_the_field(db, sdk):
    document = {"knowledge": {"enabled": True, "embedding_model": "missing"}}
    report = sdk.workflows.import_inventory(yaml.safe_dump(document), "yaml")
    assert report["errors"] == [
        {
            "section": "knowledge",
            "row": 1,
            "name": None,
            "field": "embedding_model",
            "message": "registered model 'missing' does not exist",
        }
    ]


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("{not json", "json", "not valid JSON"),
        ("- a\n- b\n", "yaml", "the document must be an object"),
        ('{"catalogue": []}', "json", "unknown key 'catalogue'; known keys: "),
        ('{"catalog": {}}', "json", "catalog must be a list of rows"),
        ('{"format": "other"}', "json", "format must be 'model-registry-inventory'"),
        ("name,colour\nx,red\n", "csv", "unknown CSV column 'colour'; columns: name, "),
        ("{}", "xml", "format must be one of: json, yaml, csv"),
    ],
)
def test_unreadable_files_are_refused_clearly(db, sdk, text, fmt, message):
    with pytest.raises(RegistryValidationError) as caught:
        sdk.workflows.import_inventory(text, fmt)
    assert message in str(caught.value)


CSV_TEXT = (
    "name,capabilities,tags,requirements,extra_config,source_payload\n"
    'csv-a,"chat, tool-calling","x,y","{""vram_mb"": 100}",,\n'
    'csv-b,"[""embed""]",,,"{""dim"": 64}","{""compatible_engines"": [""ollama""]}"\n'
    "csv-c,chat,,{broken,,\n"
)


def test_catalog_rows_from_csv(db, sdk):
    report = sdk.workflows.import_inventory(CSV_TEXT.encode("utf-8-sig"), "csv")
    assert [e["row"] for e in report["errors"]] == [3]
    assert report["errors"][0]["field"] == "requirements"
    assert "not valid JSON" in report["errors"][0]["message"]
    good = CSV_TEXT.rsplit("csv-c", 1)[0]
    report = sdk.workflows.import_inventory(good, "csv", apply=True)
    assert report["counts"]["catalog"]["created"] == 2
    a = AvailableModel.objects.get(name="csv-a")
    assert (a.capabilities, a.tags, a.requirements) == (
        "chat,tool_calling",
        "x,y",
        {"vram_mb": 100},
    )
    b = AvailableModel.objects.get(name="csv-b")
    assert (b.capabilities, b.extra_config) == ("embedding", {"dim": 64})
    assert b.source_payload == {"compatible_engines": ["ollama"]}


def test_commands_export_and_import_with_progress(demo_inventory, tmp_path):
    target = tmp_path / "inventory.yaml"
    call_command("export_inventory", output=str(target), stderr=io.StringIO())
    assert target.read_text().startswith("format: model-registry-inventory\n")
    stdout = io.StringIO()
    call_command("import_inventory", str(target), stdout=stdout)
    assert "Dry run: nothing written" in stdout.getvalue()

    big = tmp_path / "big.json"
    big.write_text(json.dumps({"catalog": catalog_rows(1500)}))
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_inventory", str(big), apply=True, stdout=stdout, stderr=stderr)
    assert "Import applied" in stdout.getvalue()
    assert "1500/1500" in stderr.getvalue()  # the progress bar
    assert AvailableModel.objects.filter(name__startswith="org/model-").count() == 1500

    rows = catalog_rows(3)
    rows[1]["status"] = "lost"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"catalog": rows}))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_inventory", str(bad), apply=True, stderr=stderr)
    assert "catalog row 2 ('org/model-00001'), status:" in stderr.getvalue()


def test_export_command_to_stdout(demo_inventory):
    stdout = io.StringIO()
    call_command("export_inventory", format="json", stdout=stdout)
    assert json.loads(stdout.getvalue())["format"] == "model-registry-inventory"
