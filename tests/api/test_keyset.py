"""Keyset iteration in every door: the SDK's and the client's ``all()`` and the API's
``cursor`` return every row exactly once, in the sort asked for, whatever is written during
the walk; a page costs the same queries wherever it is; a bad cursor is a 400 naming it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import keyset
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

MODELS = module_sdk.models.model_registry
URL = "/api/v1/model-registry/"


@pytest.fixture
def rows(make_model, catalog_model) -> list[dict]:
    """Twelve models with repeated sizes (ties) and catalog links on some (NULLs)."""
    return [
        make_model(
            f"model-{letter}",
            vram_required_mb=(index % 3) * 1024,
            available_model_id=catalog_model["id"] if index % 4 == 0 else None,
            status="active" if index % 2 else "available",
        )
        for index, letter in enumerate("kbhadjlcgfie")
    ]


class Writer:
    """Writes between the pages of a walk: deletes a row already read and one not read yet,
    and inserts a row sorting before the walk's position and one after it. An offset walk
    would skip a row for each deletion behind it and repeat one for each insertion."""

    def __init__(self, engine_id: int):
        self.engine_id = engine_id
        self.deleted: set[int] = set()
        self.deleted_unread: set[int] = set()
        self.inserted: set[int] = set()
        self.steps = 0

    def between_pages(self, seen: list[int]) -> None:
        self.steps += 1
        read = [pk for pk in seen if pk not in self.deleted]
        unread = RegisteredModel.objects.exclude(pk__in=seen).order_by("-id").first()
        if read and MODELS.delete(read[-1]):
            self.deleted.add(read[-1])
        if unread and MODELS.delete(unread.pk):
            self.deleted.add(unread.pk)
            self.deleted_unread.add(unread.pk)
        for name in (f"aaa-{self.steps}", f"zzz-{self.steps}"):
            self.inserted.add(MODELS.create({"name": name, "engine_id": self.engine_id})["id"])


def assert_walked_once(walked: list[int], before: set[int], writer: Writer) -> None:
    """Every row present for the whole walk exactly once; no row deleted unread."""
    assert len(walked) == len(set(walked)), "a row came twice"
    stable = before - writer.deleted
    assert stable <= set(walked), f"rows missed: {sorted(stable - set(walked))}"
    assert set(walked) <= before | writer.inserted
    assert not set(walked) & writer.deleted_unread, "a row deleted before its page came"
    assert writer.deleted_unread and writer.inserted  # the walk did see writes


@pytest.mark.parametrize("sort", ["id", "-id", "name", "-name"])
def test_sdk_all_returns_every_row_once_while_rows_change(rows, engine, monkeypatch, sort):
    before = {row["id"] for row in rows}
    writer = Writer(engine["id"])
    walked: list[int] = []
    read = keyset.Keyset.values_after

    def values_after(self: keyset.Keyset, key: Any, limit: int) -> list[dict[str, Any]]:
        if key is not None:
            writer.between_pages(walked)
        found = read(self, key, limit)
        walked.extend(values["id"] for values in found)
        return found

    monkeypatch.setattr(keyset, "CHUNK_SIZE", 3)
    monkeypatch.setattr(keyset.Keyset, "values_after", values_after)
    result = MODELS.all(sort=sort)
    assert [row["id"] for row in result["rows"]] == walked
    assert_walked_once(walked, before, writer)


def _expected_order(sort: str) -> list[int]:
    """The ids in keyset order computed here: NULLs last ascending (first descending), the
    id breaking ties in the sort's direction."""
    field = sort.lstrip("-")
    descending = sort.startswith("-")
    attr = {"available_model_id": "available_model_id"}.get(field, field)
    items = list(RegisteredModel.objects.values("id", attr))

    def key(item: dict[str, Any]) -> tuple:
        value = item[attr]
        return (value is None, value if value is not None else 0, item["id"])

    ordered = sorted(items, key=key)
    if descending:
        ordered.reverse()
    return [item["id"] for item in ordered]


def _cursor_walk(page: Callable[[str], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    cursor: str | None = ""
    while cursor is not None:
        envelope = page(cursor)
        yield envelope
        cursor = envelope["next_cursor"]


@pytest.mark.parametrize(
    "sort",
    [
        "id",
        "-id",
        "name",
        "-name",
        "vram_required_mb",
        "-vram_required_mb",
        "available_model_id",
        "-available_model_id",
        "updated_at",
        "-updated_at",
    ],
)
def test_cursor_pages_follow_every_sort_with_ties_and_nulls(rows, sort):
    pages = list(_cursor_walk(lambda cursor: MODELS.list(page_size=5, sort=sort, cursor=cursor)))
    assert [len(page["rows"]) for page in pages] == [5, 5, 2]
    assert all(page["page"] is None and page["total_rows"] is None for page in pages)
    walked = [row["id"] for page in pages for row in page["rows"]]
    assert walked == _expected_order(sort)
    assert [row["id"] for row in MODELS.all(sort=sort)["rows"]] == walked


def test_cursor_pages_keep_the_filters(rows):
    filters = {"status": "active"}
    pages = list(
        _cursor_walk(lambda cursor: MODELS.list(page_size=4, filters=filters, cursor=cursor))
    )
    walked = [row["id"] for page in pages for row in page["rows"]]
    assert walked == [row["id"] for row in MODELS.all(filters=filters)["rows"]]
    assert len(walked) == 6 and pages[-1]["next_cursor"] is None


def test_a_cursor_page_costs_the_same_queries_anywhere(rows):
    def queries(cursor: str, size: int) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            envelope = MODELS.list(page_size=size, sort="-name", cursor=cursor)
        return len(captured), envelope

    first_count, first = queries("", 2)
    middle_count, middle = queries(first["next_cursor"], 2)
    wide_count, _ = queries(first["next_cursor"], 9)
    assert first_count == middle_count == wide_count <= 2  # the rows, the page context
    assert middle["rows"][0]["name"] < first["rows"][-1]["name"]


def test_api_cursor_walk_matches_the_sdk(api, rows):
    params = {"sort": "-vram_required_mb", "page_size": 5}
    pages = list(_cursor_walk(lambda cursor: api.get(URL, {**params, "cursor": cursor}).json()))
    walked = [row for page in pages for row in page["rows"]]
    assert walked == MODELS.all(sort="-vram_required_mb")["rows"]
    assert pages[0]["next_cursor"] and pages[-1]["next_cursor"] is None
    # Page-number paging is unchanged: counted, and without a cursor.
    numbered = api.get(URL, {"page": 1, "page_size": 5}).json()
    assert numbered["total_rows"] == 12 and numbered["page"] == 1
    assert "next_cursor" not in numbered


def _cursor_error(response: Any) -> list[str]:
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["cursor"]
    return errors["cursor"]


def test_bad_cursors_are_refused_naming_the_parameter(api, rows):
    first = api.get(URL, {"cursor": "", "page_size": 3, "status": "active", "sort": "name"})
    cursor = first.json()["next_cursor"]
    same = {"status": "active", "sort": "name", "page_size": 3}
    assert api.get(URL, {**same, "cursor": cursor}).status_code == 200
    assert (
        "other filters"
        in _cursor_error(api.get(URL, {**same, "status": "available", "cursor": cursor}))[0]
    )
    assert (
        "another sort"
        in _cursor_error(api.get(URL, {**same, "sort": "-name", "cursor": cursor}))[0]
    )
    assert "leave out page" in _cursor_error(api.get(URL, {**same, "cursor": cursor, "page": 2}))[0]
    forged = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    for bad in ("nonsense", forged, cursor + "x"):
        assert "not a valid cursor" in _cursor_error(api.get(URL, {**same, "cursor": bad}))[0]


def test_the_schema_documents_the_cursor(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert "cursor" in {parameter["name"] for parameter in operation["parameters"]}
    envelope = schema["components"]["schemas"]["ModelRegistryList"]
    assert envelope["properties"]["next_cursor"]["nullable"] is True
    assert envelope["properties"]["total_rows"]["nullable"] is True


@pytest.mark.django_db(transaction=True)
def test_client_all_returns_every_row_once_while_rows_change(
    http_client, rows, engine, monkeypatch
):
    from inventory import client as client_module

    before = {row["id"] for row in rows}
    writer = Writer(engine["id"])
    walked: list[int] = []
    resource = http_client.models.model_registry
    read = type(resource).list

    def listing(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("cursor"):
            writer.between_pages(walked)
        envelope = read(self, *args, **kwargs)
        walked.extend(row["id"] for row in envelope["rows"])
        return envelope

    monkeypatch.setattr(client_module, "MAX_PAGE_SIZE", 3)
    monkeypatch.setattr(type(resource), "list", listing)
    result = resource.all(sort="-name")
    assert [row["id"] for row in result["rows"]] == walked
    assert result["sort"] == {"field": "name", "direction": "desc"}
    assert_walked_once(walked, before, writer)
