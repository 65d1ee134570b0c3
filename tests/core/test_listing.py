"""Sorting, paging and the envelopes of ``list``/``all``/``view``/``count`` (DESIGN.md)."""

from __future__ import annotations

import pytest

from inventory.declarations import DECLARATIONS, REGISTERED_MODELS
from inventory.listing import ListRequest
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

from .assertions import ROW_KEYS, expect_invalid

pytestmark = pytest.mark.django_db

models = module_sdk.models.model_registry


@pytest.fixture
def tied(engine) -> list[dict]:
    """Rows whose ``vram_required_mb`` repeats, inserted so that name order differs from id."""
    specs = [("d", 8), ("b", 4), ("a", 8), ("e", 4), ("c", 8), ("f", 0)]
    return [
        models.create({"name": name, "engine_id": engine["id"], "vram_required_mb": vram})
        for name, vram in specs
    ]


def ids(result: dict) -> list[int]:
    return [row["id"] for row in result["rows"]]


# --- envelopes -----------------------------------------------------------------------------------


def test_list_envelope(tied):
    listing = models.list()
    assert list(listing) == ["rows", "total_rows", "page", "page_size", "filters", "sort"]
    assert listing["total_rows"] == 6
    assert listing["page"] == 0
    assert listing["page_size"] == 25
    assert listing["filters"] == {}
    assert listing["sort"] == {"field": "id", "direction": "asc"}
    assert all(list(row) == ROW_KEYS for row in listing["rows"])


def test_all_envelope(tied):
    result = models.all(filters={"name": "a"}, sort="-name")
    assert list(result) == ["rows", "filters", "sort"]
    assert [row["name"] for row in result["rows"]] == ["a"]
    assert result["filters"] == {"name": "a"}
    assert result["sort"] == {"field": "name", "direction": "desc"}
    assert list(result["rows"][0]) == ROW_KEYS


def test_all_returns_every_row(engine):
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"bulk-{index:03d}", engine_id=engine["id"]) for index in range(250)
    )
    result = models.all()
    assert len(result["rows"]) == 250
    assert ids(result) == sorted(ids(result))


def test_view_and_count_shapes(tied):
    row = models.view(tied[0]["id"])
    assert list(row) == ROW_KEYS
    assert row == tied[0]
    assert models.view(999999) is None
    assert models.count() == 6
    assert models.count({}) == 6
    assert models.count(None) == 6
    assert type(models.count({"name": "a"})) is int


def test_rows_match_between_doors(tied):
    assert models.list(page_size=200)["rows"] == models.all()["rows"]
    assert models.list(page_size=200)["rows"] == [models.view(row["id"]) for row in tied]


@pytest.mark.parametrize("name", sorted(DECLARATIONS))
def test_every_entity_has_the_same_envelopes(engine, catalog_model, make_model, name):
    make_model("llama3")
    resource = module_sdk.models[name]
    listing = resource.list()
    assert list(listing) == ["rows", "total_rows", "page", "page_size", "filters", "sort"]
    assert listing["total_rows"] == resource.count() >= 1
    assert list(resource.all()) == ["rows", "filters", "sort"]
    first = listing["rows"][0]
    assert resource.view(first["id"]) == first


# --- sorting -------------------------------------------------------------------------------------


def test_sort_by_column_asc_desc(tied):
    assert [row["name"] for row in models.list(sort="name")["rows"]] == list("abcdef")
    assert [row["name"] for row in models.list(sort="-name")["rows"]] == list("fedcba")
    descending = models.list(sort={"field": "name", "direction": "DESC"})
    assert descending["sort"] == {"field": "name", "direction": "desc"}
    assert [row["name"] for row in descending["rows"]] == list("fedcba")
    assert [row["name"] for row in models.list(sort=("name", "asc"))["rows"]] == list("abcdef")


def test_a_leading_minus_means_descending_in_every_form_unless_a_direction_is_given(tied):
    assert models.list(sort={"field": "-name"})["sort"] == {"field": "name", "direction": "desc"}
    assert models.list(sort=("-name", None))["sort"] == {"field": "name", "direction": "desc"}
    explicit = models.list(sort={"field": "-name", "direction": "asc"})
    assert explicit["sort"] == {"field": "name", "direction": "asc"}
    assert [row["name"] for row in explicit["rows"]] == list("abcdef")


def test_sort_ties_broken_by_id(tied):
    by_vram = {}
    for row in tied:
        by_vram.setdefault(row["vram_required_mb"], []).append(row["id"])
    asc = [*by_vram[0], *sorted(by_vram[4]), *sorted(by_vram[8])]
    desc = [*sorted(by_vram[8], reverse=True), *sorted(by_vram[4], reverse=True), *by_vram[0]]
    assert ids(models.list(sort="vram_required_mb")) == asc
    assert ids(models.all(sort="vram_required_mb")) == asc
    assert ids(models.list(sort="-vram_required_mb")) == desc
    assert ids(models.all(sort={"field": "vram_required_mb", "direction": "desc"})) == desc
    paged = [
        row_id
        for page in range(3)
        for row_id in ids(models.list(page=page, page_size=2, sort="-vram_required_mb"))
    ]
    assert paged == desc


@pytest.mark.parametrize(
    "sort, order",
    [
        ("-vram_required_mb", ("-vram_required_mb", "-id")),
        ("status", ("status", "id")),
        ({"field": "engine_id", "direction": "desc"}, ("-engine_id", "-id")),
        ("-id", ("-id",)),
        (None, ("id",)),
    ],
)
def test_order_always_ends_with_id(sort, order):
    request = ListRequest.build(REGISTERED_MODELS, sort=sort)
    assert request.ordered().query.order_by == order


@pytest.mark.parametrize(
    "sort", ["model_path", "extra_config", "capabilities", "runtime_methods", "bogus", "-nope"]
)
def test_sort_only_on_table_columns(db, sort):
    error = expect_invalid(lambda: models.list(sort=sort), "sort", "cannot sort by", exact=False)
    assert repr(sort.lstrip("-")) in str(error)
    assert "sortable: id, name" in str(error)
    with pytest.raises(module_sdk.ValidationError):
        models.all(sort=sort)


def test_sortable_fields_are_the_table_columns():
    for declaration in DECLARATIONS.values():
        columns = {entry["field"] for entry in declaration.table_model() if entry["sortable"]}
        assert set(declaration.sort_fields) == columns
        assert "id" in columns


@pytest.mark.parametrize("direction", ["up", "descending", 1])
def test_sort_direction_vocabulary(db, direction):
    expect_invalid(
        lambda: models.list(sort={"field": "name", "direction": direction}),
        "direction",
        "direction must be 'asc' or 'desc'",
        exact=False,
    )


def test_sort_must_be_a_field_name(db):
    expect_invalid(lambda: models.list(sort=5), "sort", "sort must be a field name, got 5")


# --- paging --------------------------------------------------------------------------------------


def test_pages_are_zero_based(tied):
    all_ids = [row["id"] for row in tied]
    assert ids(models.list(page=0, page_size=4)) == all_ids[:4]
    second = models.list(page=1, page_size=4)
    assert ids(second) == all_ids[4:]
    assert second["page"] == 1
    assert second["total_rows"] == 6
    beyond = models.list(page=7, page_size=4)
    assert beyond["rows"] == []
    assert beyond["total_rows"] == 6


@pytest.mark.parametrize(
    "given, clamped", [(0, 1), (-5, 1), (1, 1), (200, 200), (201, 200), (10_000, 200), ("50", 50)]
)
def test_page_size_clamped(tied, given, clamped):
    listing = models.list(page_size=given)
    assert listing["page_size"] == clamped
    assert len(listing["rows"]) == min(clamped, 6)


def test_page_size_caps_rows(engine):
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"bulk-{index:03d}", engine_id=engine["id"]) for index in range(205)
    )
    listing = models.list(page_size=500)
    assert listing["page_size"] == 200
    assert len(listing["rows"]) == 200
    assert listing["total_rows"] == 205
    assert len(models.list(page=1, page_size=500)["rows"]) == 5


@pytest.mark.parametrize("page, field", [(-1, "page"), ("x", "page"), (1.5, "page")])
def test_bad_page(db, page, field):
    with pytest.raises(module_sdk.ValidationError) as info:
        models.list(page=page)
    assert field in info.value.errors


def test_bad_page_size(db):
    expect_invalid(
        lambda: models.list(page_size="lots"),
        "page_size",
        "page_size must be an integer, got 'lots'",
        first=True,
    )
