"""CSV cells safe to open in a spreadsheet: the one cell encoder of every CSV writer.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
read by Excel, LibreOffice or Google Sheets as a formula (``=HYPERLINK(...)``,
``@SUM(...)``, ``-2+3``); such a cell is written with a leading ``'`` as OWASP recommends
(CSV injection), which spreadsheets show as text. Numbers are data, not text: an ``int`` or
``float`` such as ``-5`` is written as the number. A text value ``"-5"`` is prefixed like any
other text. The JSON export is the lossless format; CSV is for reading by people.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """``text`` as a spreadsheet shows it verbatim: prefixed with ``'`` if it could start a
    formula, or if it is already such text with its ``'`` (so that ``restore`` can tell)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def restore(text: str) -> str:
    """The text ``neutralize`` was given (the CSV import reads exports back with it)."""
    return text[1:] if text[:1] == "'" and text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


#: One JSON encoder for every cell (``json.dumps`` with options builds one per call).
_encode_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def csv_cell(value: Any) -> Any:
    """One CSV cell: lists, objects and booleans as JSON, ``None`` as an empty cell, numbers
    as numbers and text neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        return _encode_json(value)
    if isinstance(value, int | float):
        return value
    return neutralize(str(value))


def _container_cell(value: list | dict) -> str:
    if value:
        return _encode_json(value)
    return "[]" if isinstance(value, list) else "{}"


#: ``csv_cell`` by exact type, for columns of mixed values (subclasses go through
#: ``csv_cell``).
_CELLS: dict[type, Callable[[Any], Any]] = {
    str: neutralize,
    int: int.__pos__,
    float: float.__pos__,
    type(None): lambda value: "",
    bool: lambda value: "true" if value else "false",
    dict: _container_cell,
    list: _container_cell,
}
_NUMBERS = {int, float}


def csv_column(values: list[Any]) -> list[Any]:
    """``csv_cell`` of every value of a column, worked out for the column at once: a column of
    text or of numbers in one pass without a call per cell, other columns dispatched on each
    value's exact type (the same cells, without testing each value against every kind)."""
    kinds = set(map(type, values))
    if kinds == {str}:
        suspect = (*FORMULA_TRIGGERS, "'")
        return [neutralize(text) if text.startswith(suspect) else text for text in values]
    if kinds <= _NUMBERS:
        return values
    cells = _CELLS
    return [cells.get(type(value), csv_cell)(value) for value in values]
