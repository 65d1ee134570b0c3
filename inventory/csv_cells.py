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
    formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value: Any) -> Any:
    """One CSV cell: lists, objects and booleans as JSON, ``None`` as an empty cell, numbers
    as numbers and text neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, int | float):
        return value
    return neutralize(str(value))


def _json_cell(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _number_cell(value: Any) -> Any:
    return value


def _empty_cell(value: None) -> str:
    return ""


#: ``csv_cell`` by exact type, for columns of plain values (subclasses go through ``csv_cell``).
_CELLS: dict[type, Callable[[Any], Any]] = {
    str: _text_cell,
    int: _number_cell,
    float: _number_cell,
    type(None): _empty_cell,
    bool: _json_cell,
    dict: _json_cell,
    list: _json_cell,
}


def csv_column(values: list[Any]) -> list[Any]:
    """``csv_cell`` of every value of a column, dispatched on the values' exact type (the same
    cells, without testing each value against every kind)."""
    cells = _CELLS
    return [cells.get(type(value), csv_cell)(value) for value in values]
