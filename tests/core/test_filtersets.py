"""The generated FilterSets: the declared filters, with the SDK's parsing and results."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from inventory.declarations import DECLARATIONS
from inventory.filtersets import FILTERSETS
from inventory.sdk import module_sdk
from inventory.vocabularies import FORMAT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(DECLARATIONS))
def test_filters_are_the_declared_ones(name):
    declared = [entry["field"] for entry in DECLARATIONS[name].filters_model()]
    assert list(FILTERSETS[name].base_filters) == declared


@pytest.fixture
def rows(make_model) -> None:
    make_model("llama3", capabilities="chat,tool_calling", is_downloaded=True)
    make_model("qwen", capabilities="chat", status="active")
    make_model("bge-reranker", capabilities="reranking")


@pytest.mark.parametrize(
    "query",
    [
        "capabilities=chat&capabilities=tool_calling",
        "capabilities=rerank",
        "is_downloaded=1",
        "is_downloaded=false&name=Q",
        "status=active",
        "q=LLAMA",
    ],
)
def test_same_rows_and_normalized_filters_as_the_sdk(rows, query):
    data = QueryDict(query)
    filterset = FILTERSETS["model_registry"](data=data)
    assert filterset.is_valid(), filterset.errors
    filters = filterset.normalized()
    by_sdk = module_sdk.models.model_registry.all(filters=filters)
    assert sorted(row.name for row in filterset.qs) == sorted(row["name"] for row in by_sdk["rows"])
    assert by_sdk["filters"] == filters


@pytest.mark.parametrize(
    "query, key, message",
    [
        ("engine_id=abc", "engine_id", "engine_id must be an integer, got 'abc'"),
        ("capabilities=rank", "capabilities", "unknown capability 'rank'"),
        ("is_downloaded=2", "is_downloaded", "is_downloaded must be a boolean"),
        ("status=gone", "status", "'gone' is not a valid status"),
    ],
)
def test_bad_values_carry_the_sdk_message(db, query, key, message):
    filterset = FILTERSETS["model_registry"](data=QueryDict(query))
    assert not filterset.is_valid()
    assert any(message in text for text in filterset.error_dict()[key])
    assert filterset.normalized() == {}
    with pytest.raises(module_sdk.ValidationError) as error:
        module_sdk.models.model_registry.count(dict(QueryDict(query).items()))
    assert message in error.value.errors[key][0]


def test_unknown_keys_are_reported():
    data = QueryDict("name=x&page=2&nmae=y&sort=name")
    assert FILTERSETS["model_registry"].unknown_keys(data, ignore=("page", "sort")) == ["nmae"]


def test_choice_widget_offers_any_once():
    field = FILTERSETS["available_model_registry"]().form.fields["format"]
    values = [value for value, _ in field.widget.choices]
    assert values == ["", *FORMAT.built_in]
