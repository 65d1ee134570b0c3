"""The one search function behind the search page, the API and the SDK."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel
from inventory.search import COUNT_CAP, search


def by_entity(result) -> dict[str, dict[str, str]]:
    return {group.entity: {hit.name: hit.field for hit in group.hits} for group in result.groups}


def test_finds_each_entity_by_name_path_family_tags_and_url(findable) -> None:
    found = by_entity(search("ZePhYr"))
    assert found == {
        "engine_registry": {"zephyr-box": "name"},
        "available_model_registry": {
            "cat-one": "family",
            "cat-two": "tags",
            "cat-three": "remote_url",
        },
        "model_registry": {"reg-one": "model_path", "reg-two": "remote_url"},
    }


def test_hits_carry_the_matched_value_and_label(findable) -> None:
    group = search("zephyr7").groups[1]
    (hit,) = group.hits
    assert (hit.id, hit.field, hit.label, hit.value) == (
        findable["tags"]["id"],
        "tags",
        "Tags",
        "small,zephyr7",
    )


def test_each_group_agrees_with_the_list_quick_search(sdk, findable) -> None:
    for group in search("zephyr").groups:
        listed = getattr(sdk.models, group.entity).list(filters={"q": "zephyr"})
        assert group.total == listed["total_rows"]
        assert [hit.id for hit in group.hits] == [row["id"] for row in listed["rows"]]


def test_limit_cuts_rows_but_not_the_total(findable) -> None:
    catalog = search("cat-", limit=2).groups[1]
    assert catalog.total == 3 and not catalog.capped
    assert [hit.name for hit in catalog.hits] == ["cat-one", "cat-two"]


def test_only_the_given_entities(findable) -> None:
    result = search("zephyr", entities=["model_registry"])
    assert [group.entity for group in result.groups] == ["model_registry"]
    with pytest.raises(RegistryValidationError) as caught:
        search("zephyr", entities=["nope"])
    assert "entities" in caught.value.errors


def test_empty_text_finds_nothing_without_a_query(findable) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert search("   ").groups == []
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("q", "limit", "field"), [(["a"], None, "q"), ("a", "many", "limit"), ("a\x00b", None, "q")]
)
def test_bad_input_names_the_parameter(db, q, limit, field) -> None:
    with pytest.raises(RegistryValidationError) as caught:
        search(q, limit)
    assert field in caught.value.errors


def test_counts_stop_at_the_cap(db) -> None:
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"many-{index}", label=f"many-{index}")
        for index in range(COUNT_CAP + 5)
    )
    group = search("many-").groups[1]
    assert (group.total, group.capped, len(group.hits)) == (COUNT_CAP, True, 5)


def test_two_queries_per_entity_whatever_the_matches(db, findable) -> None:
    with CaptureQueriesContext(connection) as few:
        search("zephyr")
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"zephyr-{index}", label="x") for index in range(300)
    )
    with CaptureQueriesContext(connection) as many:
        result = search("zephyr", limit=50)
    assert len(result.groups[1].hits) == 50
    assert len(few) == len(many) == 6
