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
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """``text`` as a spreadsheet shows it verbatim: prefixed with ``'`` if it could start a
    formula, or if it is already such text with its ``'`` (so that ``restore`` can tell)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def restore(text: str) -> str:
    """The text ``neutralize`` was given (the CSV import reads exports back with it)."""
    return text[1:] if text[:1] == "'" and text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


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
