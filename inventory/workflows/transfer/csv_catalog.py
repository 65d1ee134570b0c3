"""Catalog rows from a CSV file whose header names catalog fields."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ...declarations import AVAILABLE_MODELS
from ...errors import RegistryValidationError, unknown_keys_error


@dataclass(frozen=True)
class InvalidCell:
    """A CSV cell that could not be decoded; reported as an error of its row and field."""

    message: str


def parse_csv(text: str) -> dict[str, Any]:
    """Catalog rows from CSV text whose header names catalog fields."""
    return {"catalog": list(csv_rows(io.StringIO(text, newline="")))}


def csv_rows(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Catalog rows, one per CSV record, from lines of text (the header first); text the CSV
    reader cannot read (a stray carriage return in an unquoted field…) is an error of the
    file."""
    try:
        yield from _csv_rows(lines)
    except csv.Error as error:
        raise RegistryValidationError({"file": [f"the CSV file cannot be read: {error}"]}) from None


def _csv_rows(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(lines)
    fields = {item.name: item for item in AVAILABLE_MODELS.fields}
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise RegistryValidationError({"file": ["the CSV file has no header row"]})
    unknown = [name for name in header if name not in fields]
    if unknown:
        writable = [item.name for item in AVAILABLE_MODELS.writable_fields]
        raise unknown_keys_error(unknown, writable, "CSV column", "columns", under="file")
    reader.fieldnames = header
    for record in reader:
        yield _row(record, fields)


def _row(record: dict[str | None, Any], fields: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, cell in record.items():
        if name is None or cell is None:
            continue
        kind = fields[name].type
        if kind == "json" or (kind in {"list", "capabilities"} and cell.lstrip()[:1] == "["):
            if not cell.strip():
                continue
            try:
                row[name] = json.loads(cell)
            except ValueError as error:
                row[name] = InvalidCell(f"{name} is not valid JSON: {error}")
            except RecursionError:
                row[name] = InvalidCell(f"{name} is not valid JSON: nested too deeply")
        else:
            row[name] = cell
    return row
