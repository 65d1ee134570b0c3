"""The API's orjson renderer writes exactly the bytes DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers

from inventory.api.json_renderer import JSONRenderer

DRF = renderers.JSONRenderer()
OURS = JSONRenderer()

texts = st.text(
    st.characters(codec="utf-8") | st.sampled_from(["\u2028", "\u2029", "\x00", "\x7f", "é"])
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-05, 1e-07, 1e16, 1.5e22, 0.0001, 123456789.125, -0.0])
    | texts
    | st.datetimes(timezones=st.just(datetime.UTC) | st.none())
    | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.uuids()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_same_bytes_as_drf(document):
    assert OURS.render(document) == DRF.render(document)


def test_indented_and_empty_output_are_drf_s():
    document = {"a": [1, 2.5, "x"], "b": None}
    assert OURS.render(document, "application/json; indent=4") == DRF.render(
        document, "application/json; indent=4"
    )
    assert OURS.render(None) == b""


def test_a_page_of_rows_is_written_by_orjson(monkeypatch):
    """The fast path is the one taken for ordinary rows (else every render is DRF's)."""
    row = {
        "id": 7,
        "name": "llama-3",
        "extra_config": {"dim": 768, "temperature": 0.7},
        "warnings": [],
        "created_at": "2026-01-31T09:05:00.250000+00:00",
        "when": datetime.datetime(2026, 1, 31, 9, 5, 0, 250000, tzinfo=datetime.UTC),
        "price": decimal.Decimal("1.50"),
        "ref": uuid.UUID(int=5),
    }
    expected = DRF.render({"rows": [row] * 3, "total_rows": 3})

    def refuse(*args, **kwargs):
        raise AssertionError("rendered by the standard library")

    monkeypatch.setattr(renderers.JSONRenderer, "render", refuse)
    assert OURS.render({"rows": [row] * 3, "total_rows": 3}) == expected


@pytest.mark.django_db
def test_list_response_bytes_are_drf_s(admin_user, make_model):
    from rest_framework.test import APIClient

    make_model("llama3", extra_config={"temperature": 0.00001, "note": "a\u2028b"})
    make_model("qwen", capabilities="embedding", extra_config={"dim": 768})
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get("/api/v1/model-registry/?page_size=200")
    assert response.status_code == 200
    assert response.content == DRF.render(response.data)
    assert b"1e-05" in response.content and b"\\u2028" in response.content
