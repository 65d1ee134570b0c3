"""Real public model lists (``../shared/realdata/`` beside the repository, or ``$REALDATA``):
each file applied, exported, imported into an empty database and exported again gives the
same bytes, and importing the file a second time changes nothing.

Without the folder these tests skip, or fail when ``CI`` is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from inventory.workflows import transfer

ROOT = Path(__file__).resolve().parents[2]
REALDATA = Path(os.environ.get("REALDATA") or ROOT.parent / "shared" / "realdata")
FILES = ("litellm_fixed.json", "litellm_raw.json")

pytestmark = pytest.mark.django_db


def realdata(name: str) -> Path:
    path = REALDATA / name
    if not path.is_file():
        message = f"real data file {path} is missing"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def import_file(path: Path, **options) -> dict:
    with path.open("rb") as handle:
        return transfer.import_document(transfer.parse(handle, "json"), **options)


def empty_database() -> None:
    KnowledgeSettings.objects.all().delete()
    RegisteredModel.objects.all().delete()
    AvailableModel.objects.all().delete()
    Engine.objects.all().delete()


@pytest.mark.parametrize("name", FILES)
def test_real_list_round_trip_gives_identical_bytes(name):
    path = realdata(name)
    # The valid rows, unknown capability tokens kept as extended capabilities.
    options = {"mode": "partial", "move_unknown_capabilities": True}
    first = import_file(path, apply=True, **options)
    assert first["applied"] is True
    rows = sum(counts["created"] for counts in first["counts"].values())
    assert rows > 0

    again = import_file(path, **options)
    changed = [r for r in again["rows"] if r["action"] in ("created", "updated")]
    assert changed == []

    exported = transfer.export_inventory("json")
    empty_database()
    report = transfer.import_inventory(exported, "json", apply=True)
    assert report["errors"] == []
    assert report["counts"]["catalog"]["created"] == rows
    assert transfer.export_inventory("json") == exported
