"""The added vocabulary travels with the inventory (export, then import into an empty
database gives the same bytes), and real public catalogs import against the built-in
vocabulary."""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import pytest

from inventory.models import (
    AvailableModel,
    Engine,
    KnowledgeSettings,
    RegisteredModel,
    VocabularyAlias,
    VocabularyTerm,
)
from inventory.workflows.transfer import export_inventory, import_inventory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REALDATA = next(
    (
        path
        for path in (
            Path(os.environ.get("REALDATA_DIR", ROOT / "../shared/realdata")),
            ROOT / "../../shared/realdata",
        )
        if path.is_dir()
    ),
    None,
)


def empty_database() -> None:
    KnowledgeSettings.objects.all().delete()
    RegisteredModel.objects.all().delete()
    AvailableModel.objects.all().delete()
    Engine.objects.all().delete()
    VocabularyAlias.objects.filter(built_in=False).delete()
    VocabularyTerm.objects.filter(built_in=False).delete()


def test_added_terms_round_trip(sdk):
    vocabulary = sdk.vocabulary
    vocabulary.add_term({"kind": "capability", "name": "dance", "label": "Dancing"})
    vocabulary.add_term({"kind": "feature", "name": "telepathy", "description": "reads minds"})
    vocabulary.add_term({"kind": "format", "name": "blob"})
    vocabulary.add_term({"kind": "provider", "name": "acme"})
    vocabulary.add_alias({"kind": "capability", "alias": "ballet", "term": "dance"})
    vocabulary.add_alias({"kind": "provider", "alias": "olama", "term": "ollama"})
    engine = sdk.models.engine_registry.create({"name": "e", "provider": "acme"})
    sdk.models.available_model_registry.create(
        {
            "name": "c",
            "format": "blob",
            "quantization": "Q4_K_M",
            "provider_hint": "olama",
            "capabilities": "ballet,chat",
            "extended_capabilities": "telepathy,pdf_input",
        }
    )
    sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "capabilities": "dance"}
    )
    first = export_inventory("json")
    assert '"vocabulary": {"terms": [{"kind": "capability", "name": "dance"' in first
    empty_database()
    report = import_inventory(first, apply=True)
    assert report["counts"]["vocabulary"] == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
    }
    assert export_inventory("json") == first
    again = import_inventory(first)
    assert again["counts"]["vocabulary"]["unchanged"] == 6
    assert export_inventory("yaml").startswith(
        "format: model-registry-inventory\nversion: 1\nvocabulary:"
    )


def test_a_bad_vocabulary_entry_is_refused_with_its_row(sdk):
    document = {
        "format": "model-registry-inventory",
        "version": 1,
        "vocabulary": {
            "terms": [
                {"kind": "capability", "name": "chat"},
                {"kind": "x"},
                {"kind": "feature", "name": "vision"},
            ]
        },
    }
    report = import_inventory(json.dumps(document))
    assert [(e["row"], e["field"], e["message"]) for e in report["errors"]] == [
        (2, "kind", "kind must be one of: capability, feature, format, provider; got 'x'"),
        (3, "name", "'vision' is already an alias of the capability 'image_to_text'"),
    ]
    assert report["rows"][0]["action"] == "unchanged"  # a term already known


def test_no_vocabulary_section_without_added_terms(sdk):
    assert '"vocabulary"' not in export_inventory("json")


@pytest.mark.skipif(
    REALDATA is None and os.environ.get("REQUIRE_REALDATA") != "1", reason="no real data"
)
def test_real_litellm_catalogs_import():
    """LiteLLM's model map with its own tokens: at most 2% refused, each refusal a genuine
    data problem; the hand-mapped file imports with no refusal."""
    assert REALDATA is not None, "REQUIRE_REALDATA=1 but no real data folder"
    raw = import_inventory((REALDATA / "litellm_raw.json").read_bytes())
    rows = sum(raw["counts"]["catalog"].values())
    refused = raw["counts"]["catalog"]["refused"]
    assert rows == 2982
    assert refused <= rows * 0.02
    groups = collections.Counter(
        (e["field"], e["message"].split(", got ")[0]) for e in raw["errors"]
    )
    assert set(groups) <= {
        ("extra_config", "extra_config.defaults.context_length must be a positive integer")
    }, groups
    fixed = import_inventory((REALDATA / "litellm_fixed.json").read_bytes())
    assert fixed["counts"]["catalog"]["refused"] == 0
