"""Partial imports (the valid rows written, the refused ones reported), unknown capabilities
moved to extended capabilities, and complete reports, through every door."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from inventory.sdk import module_sdk
from inventory.workflows import transfer

pytestmark = pytest.mark.django_db

BAD_CATALOG = {
    3: {"format": "exe"},
    7: {"capabilities": "chat,flying"},
    11: {"capabilities": "embedding", "extra_config": {"dim": -1}},
    15: {"requirements": {"vram_mb": -5}},
}


def eleven_bad_rows() -> dict:
    """1 bad engine, 4 bad catalog rows, 5 refused registered rows (2 because the row they
    name was refused), a refused knowledge setting (its model was refused): 11 in all."""
    catalog = [{"name": f"c-{index:02d}", **BAD_CATALOG.get(index, {})} for index in range(20)]
    return {
        "engines": [
            {"name": "e-ok1", "provider": "ollama"},
            {"name": "e-bad", "provider": ""},
            {"name": "e-ok2", "provider": "vllm"},
        ],
        "catalog": catalog,
        "registered_models": [
            {"name": "r-ok1", "engine": "e-ok1", "available_model": "c-00"},
            {"name": "r-engine-refused", "engine": "e-bad", "capabilities": "embedding"},
            {"name": "r-catalog-refused", "engine": "e-ok1", "available_model": "c-03"},
            {"name": "r-bad-vram", "engine": "e-ok2", "vram_required_mb": -1},
            {"name": "r-no-engine", "engine": "nope"},
            {"name": "r-ok1", "engine": "e-ok2"},
            {"name": "r-ok2", "engine": "e-ok2", "available_model": "c-01"},
        ],
        "knowledge": {"enabled": True, "embedding_model": "r-engine-refused"},
    }


EXPECTED_REFUSED = {
    ("engines", 2),
    *(("catalog", index + 1) for index in BAD_CATALOG),
    ("registered_models", 2),
    ("registered_models", 3),
    ("registered_models", 4),
    ("registered_models", 5),
    ("registered_models", 6),
    ("knowledge", 1),
}


def assert_exactly_the_valid_rows_written() -> None:
    assert sorted(Engine.objects.values_list("name", flat=True)) == ["e-ok1", "e-ok2"]
    expected = [f"c-{index:02d}" for index in range(20) if index not in BAD_CATALOG]
    assert sorted(AvailableModel.objects.values_list("name", flat=True)) == expected
    assert sorted(RegisteredModel.objects.values_list("name", flat=True)) == ["r-ok1", "r-ok2"]
    assert RegisteredModel.objects.get(name="r-ok1").engine.name == "e-ok1"
    assert not KnowledgeSettings.objects.filter(enabled=True).exists()


def refused(report: dict) -> set[tuple[str, int]]:
    return {(row["section"], row["row"]) for row in report["rows"] if row["action"] == "refused"}


def test_partial_apply_writes_exactly_the_valid_rows_and_reports_the_11_others():
    text = json.dumps(eleven_bad_rows())
    report = module_sdk.workflows.import_inventory(text, apply=True, mode="partial")
    assert report["applied"] is True and report["ok"] is False and report["mode"] == "partial"
    assert refused(report) == EXPECTED_REFUSED
    assert report["refused_rows"] == 11
    assert {(e["section"], e["row"]) for e in report["errors"]} == EXPECTED_REFUSED
    assert_exactly_the_valid_rows_written()
    messages = {(e["section"], e["row"]): e["message"] for e in report["errors"]}
    assert messages[("registered_models", 2)] == (
        "engine 'e-bad' was refused in this import (engines row 2)"
    )
    assert messages[("registered_models", 3)] == (
        "catalog model 'c-03' was refused in this import (catalog row 4)"
    )
    assert messages[("knowledge", 1)] == (
        "registered model 'r-engine-refused' was refused in this import (registered_models row 2)"
    )
    assert messages[("registered_models", 6)] == "model name already in use"


def test_all_or_nothing_stays_the_default():
    text = json.dumps(eleven_bad_rows())
    dry = module_sdk.workflows.import_inventory(text)
    assert refused(dry) == EXPECTED_REFUSED and dry["mode"] == "all"
    with pytest.raises(transfer.InventoryImportError) as caught:
        module_sdk.workflows.import_inventory(text, apply=True)
    assert refused(caught.value.report) == EXPECTED_REFUSED
    assert not Engine.objects.exists() and not AvailableModel.objects.exists()


def test_partial_apply_of_a_clean_file_is_a_plain_apply():
    report = module_sdk.workflows.import_inventory(
        json.dumps({"catalog": [{"name": "a"}]}), apply=True, mode="partial"
    )
    assert report["applied"] is True and report["ok"] is True
    assert AvailableModel.objects.filter(name="a").exists()


@pytest.mark.parametrize("mode", ["some", 3, True])
def test_unknown_mode_is_refused(mode):
    with pytest.raises(RegistryValidationError) as caught:
        module_sdk.workflows.import_inventory('{"catalog": []}', mode=mode)
    assert caught.value.errors == {"mode": [f"mode must be one of: all, partial; got {mode!r}"]}


def test_refusal_groups_count_causes():
    report = module_sdk.workflows.import_inventory(json.dumps(eleven_bad_rows()))
    groups = {(g["section"], g["field"], g["cause"]): g["count"] for g in report["refusal_groups"]}
    assert (
        groups[
            ("registered_models", "engine", "engine … was refused in this import (engines row …)")
        ]
        == 1
    )
    assert sum(groups.values()) == report["error_count"] == len(report["errors"])


# --- unknown capabilities moved to extended capabilities -------------------------------------

MOVING = {
    "catalog": [
        {"name": "gpt", "capabilities": ["chat", "Function Calling", "pdf_input", "vision"]},
        {"name": "odd", "capabilities": "chat,teleportation", "extended_capabilities": "streaming"},
        {"name": "plain", "capabilities": "chat"},
    ],
}


def test_unknown_capabilities_move_to_extended_and_are_reported():
    """Tokens outside the capability vocabulary move to extended capabilities, where the
    extended vocabulary decides: a feature stays there, a token neither vocabulary knows
    refuses the row under extended_capabilities, naming that vocabulary."""
    text = json.dumps(MOVING)
    dry = module_sdk.workflows.import_inventory(text, move_unknown_capabilities=True)
    moved = {row["name"]: row.get("moved_capabilities") for row in dry["rows"]}
    assert moved == {"gpt": ["pdf_input"], "odd": ["teleportation"], "plain": None}
    assert [(e["name"], e["field"]) for e in dry["errors"]] == [("odd", "extended_capabilities")]
    assert dry["errors"][0]["message"].startswith(
        "unknown extended capability 'teleportation'; known extended capabilities:"
    )
    report = module_sdk.workflows.import_inventory(
        text, apply=True, mode="partial", move_unknown_capabilities=True
    )
    assert report["refused_rows"] == 1
    gpt = AvailableModel.objects.get(name="gpt")
    assert (gpt.capabilities, gpt.extended_capabilities) == (
        "chat,tool_calling,image_to_text",
        "pdf_input",
    )
    again = module_sdk.workflows.import_inventory(text, move_unknown_capabilities=True)
    assert [row["action"] for row in again["rows"]] == ["unchanged", "refused", "unchanged"]


def test_without_the_option_unknown_capabilities_refuse_the_row():
    report = module_sdk.workflows.import_inventory(json.dumps(MOVING))
    assert [(e["name"], e["field"]) for e in report["errors"]] == [("odd", "capabilities")]
    assert "unknown capability 'teleportation'" in report["errors"][0]["message"]
    assert all("moved_capabilities" not in row for row in report["rows"])


def test_registered_rows_have_no_extended_capabilities_to_move_to():
    document = {
        "engines": [{"name": "e", "provider": "ollama"}],
        "registered_models": [{"name": "r", "engine": "e", "capabilities": "chat,teleportation"}],
    }
    report = module_sdk.workflows.import_inventory(
        json.dumps(document), move_unknown_capabilities=True
    )
    assert [(e["name"], e["field"]) for e in report["errors"]] == [("r", "capabilities")]


# --- the command ---------------------------------------------------------------------------


def write(tmp_path: Path, document: dict) -> str:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_command_partial_apply_with_report_files(tmp_path):
    path = write(tmp_path, eleven_bad_rows())
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_inventory",
        path,
        "--apply",
        "--partial",
        "--report",
        str(tmp_path / "report.json"),
        stdout=out,
        stderr=err,
    )
    assert "Import applied partially: 11 refused row(s) not written." in out.getvalue()
    assert "11 row(s) refused, 11 error(s), by cause:" in err.getvalue()
    assert_exactly_the_valid_rows_written()
    saved = json.loads((tmp_path / "report.json").read_text())
    assert refused(saved) == EXPECTED_REFUSED

    with pytest.raises(CommandError, match="11 error"):
        call_command(
            "import_inventory",
            path,
            "--report",
            str(tmp_path / "report.csv"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with open(tmp_path / "report.csv", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert {(r["section"], int(r["row"])) for r in records if r["action"] == "refused"} == (
        EXPECTED_REFUSED
    )
    assert {r["action"] for r in records} == {"refused", "unchanged"}


def test_command_cuts_the_error_list_with_a_more_marker(tmp_path):
    path = write(tmp_path, {"catalog": [{"name": f"m{i}", "format": "exe"} for i in range(60)]})
    err = io.StringIO()
    with pytest.raises(CommandError, match="60 error"):
        call_command(
            "import_inventory",
            path,
            "--report",
            str(tmp_path / "r.json"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "… and 10 more error(s); --report FILE writes them all." in err.getvalue()
    assert len(json.loads((tmp_path / "r.json").read_text())["errors"]) == 60


def test_command_moves_unknown_capabilities(tmp_path):
    path = write(tmp_path, {"catalog": MOVING["catalog"]})
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "import_inventory",
            path,
            "--move-unknown-capabilities",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert "moved to extended_capabilities: catalog row 1 'gpt': pdf_input" in out.getvalue()


# --- the API, the HTTP client and the page ------------------------------------------------


def test_page_preview_partial_apply_and_report_downloads(admin_client):
    document = eleven_bad_rows()
    document["catalog"] += [{"name": f"x-{i:03d}", "format": "exe"} for i in range(200)]
    upload = SimpleUploadedFile("inventory.json", json.dumps(document).encode())
    preview = admin_client.post("/inventory/import/", {"file": upload})
    html = preview.content.decode()
    assert "211 rows refused, 211 errors" in html
    assert "… and 11 more errors: the full report has them all." in html
    assert 'data-testid="apply"' not in html and 'data-testid="apply-partial"' in html
    full = json.loads(b"".join(admin_client.get("/inventory/import/report.json").streaming_content))
    assert len(full["errors"]) == 211
    text = b"".join(admin_client.get("/inventory/import/report.csv").streaming_content).decode()
    assert sum(1 for r in csv.DictReader(io.StringIO(text)) if r["action"] == "refused") == 211

    applied = admin_client.post(
        "/inventory/import/", {"apply": "1", "partial": "1", "digest": preview.context["digest"]}
    )
    assert applied.status_code == 200
    assert "Applied partially" in applied.content.decode()
    assert_exactly_the_valid_rows_written()


def test_page_report_download_needs_a_report(admin_client):
    assert admin_client.get("/inventory/import/report.json").status_code == 404


def test_an_engine_taken_beyond_its_capacity_refuses_a_partial_apply_too():
    """An error about the whole import (no row to leave out) refuses it in any mode."""
    document = {
        "engines": [{"name": "small", "provider": "ollama", "vram_total_mb": 1000}],
        "registered_models": [
            {"name": "big", "engine": "small", "status": "active", "vram_required_mb": 4000},
            {"name": "bad", "engine": "small", "vram_required_mb": -1},
        ],
    }
    with pytest.raises(transfer.InventoryImportError) as caught:
        module_sdk.workflows.import_inventory(json.dumps(document), apply=True, mode="partial")
    report = caught.value.report
    assert report["applied"] is False
    assert [e["row"] for e in report["errors"]] == [None, 2]
    assert not Engine.objects.exists() and not RegisteredModel.objects.exists()
    report = module_sdk.workflows.import_inventory(
        json.dumps(document), apply=True, mode="partial", allow_over_capacity=True
    )
    assert report["applied"] is True and report["refused_rows"] == 1
    assert list(RegisteredModel.objects.values_list("name", flat=True)) == ["big"]
