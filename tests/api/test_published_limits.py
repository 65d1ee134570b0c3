"""The size limits are published as enforced (OpenAPI, README) and bound a list response."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inventory import limits
from inventory.declarations import AVAILABLE_MODELS, DECLARATIONS
from inventory.listing import MAX_PAGE_SIZE
from inventory.models import AvailableModel
from inventory.models.fields import json_size

ROOT = Path(__file__).resolve().parents[2]


def test_every_text_and_json_field_declares_a_limit():
    declared = {(x.entity, x.field) for x in limits.all_limits()}
    for declaration in DECLARATIONS.values():
        for item in declaration.fields:
            if item.source is None or "__" in item.source:
                continue
            field = declaration.model._meta.get_field(item.source)
            if field.get_internal_type() in {"CharField", "TextField", "JSONField"}:
                assert (declaration.model._meta.db_table, item.name) in declared


def test_the_readme_table_is_the_declared_limits():
    assert limits.markdown_table() in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", DECLARATIONS)
def test_a_full_page_of_rows_at_their_limits_stays_under_the_bound(name):
    assert limits.worst_page_bytes(DECLARATIONS[name]) <= limits.LIST_PAGE_BOUND_BYTES


def test_the_schema_publishes_the_limits(admin_client):
    schema = yaml.safe_load(admin_client.get("/api/schema/").content)["components"]["schemas"]
    prefixes = {
        "engine_registry": "EngineRegistry",
        "available_model_registry": "AvailableModelRegistry",
        "model_registry": "ModelRegistry",
    }
    for limit in limits.all_limits():
        prefix = prefixes[limit.entity]
        for name in (f"{prefix}Row", f"{prefix}CreateRequest"):
            prop = schema[name]["properties"][limit.field]
            if limit.unit == "characters":
                published = prop.get("maxLength") or prop["description"]
                assert published == limit.limit or f"At most {limit.limit} characters" in published
            else:
                assert prop["x-maxJsonBytes"] == limit.limit, (limit, prop)
                assert f"At most {limit.limit} bytes as JSON" in prop["description"]


def widest_catalog_row(name: str) -> AvailableModel:
    """A valid catalog row with every field at its limit, in characters that take the most
    bytes in a JSON response (control characters, six bytes each)."""
    wide = "\x01"
    row = AvailableModel(name=name + "\U0001f600" * (255 - len(name)))
    for limit in limits.field_limits(AVAILABLE_MODELS):
        field = AvailableModel._meta.get_field(limit.field)
        if limit.field in {"name", "status", "source_kind"} or hasattr(field, "vocabulary"):
            continue  # names, choices and vocabulary terms: see below
        if limit.field in {"capabilities", "extended_capabilities"}:
            continue
        if limit.unit == "bytes as JSON":
            filler = wide * ((limit.limit - json_size([""])) // 6)
            setattr(row, limit.field, [filler] if field.get_default() == [] else {"": filler[:-1]})
        elif limit.field == "remote_url":
            row.remote_url = "https://" + wide * (limit.limit - 8)
        else:
            setattr(row, limit.field, wide * limit.limit)
    row.capabilities = "chat,embedding,reranking,classification,token_extraction,tts,stt"
    row.full_clean()
    return row


@pytest.mark.django_db
def test_a_list_page_of_the_widest_rows_is_within_the_bound(api):
    first = widest_catalog_row("wide-0")
    rows = [first]
    for index in range(1, MAX_PAGE_SIZE):
        values = {f.attname: getattr(first, f.attname) for f in first._meta.concrete_fields}
        rows.append(
            AvailableModel(**{**values, "id": None, "name": f"w{index:05d}" + first.name[6:]})
        )
    AvailableModel.objects.bulk_create(rows)
    response = api.get("/api/v1/available-model-registry/", {"page_size": MAX_PAGE_SIZE})
    assert response.status_code == 200
    assert len(response.json()["rows"]) == MAX_PAGE_SIZE
    size = len(response.content)
    bound = limits.worst_page_bytes(AVAILABLE_MODELS)
    print(f"page of {MAX_PAGE_SIZE} widest rows: {size} bytes; bound {bound}")
    assert bound * 0.8 < size <= bound + 1000  # the envelope: filters, sort, counts
