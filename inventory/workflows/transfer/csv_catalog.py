"""The rows of a CSV file whose header names the fields of catalog rows, registered models
or engines (the CSV export of their lists reads back)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ...csv_cells import restore
from ...errors import RegistryValidationError, unknown_keys_error
from .document import SECTIONS, Section


@dataclass(frozen=True)
class InvalidCell:
    """A CSV cell that could not be decoded; reported as an error of its row and field."""

    message: str


#: The sections a CSV file may hold, in the order a header is tried against them.
CSV_SECTIONS = ("catalog", "registered_models", "engines")
#: Column kinds whose empty cell means no value (``None``), not an empty text.
NUMBERS = frozenset({"integer", "reference"})


def parse_csv(text: str) -> dict[str, Any]:
    """The rows of CSV text, under the section its header names (see ``csv_table``)."""
    key, rows = csv_table(io.StringIO(text, newline=""))
    return {key: list(rows)}


def csv_table(lines: Iterable[str]) -> tuple[str, Iterator[dict[str, Any]]]:
    """The section a CSV file's header names and its rows, one per record, read from lines
    of text (the header first) as they are iterated. The header names fields of one entity
    (catalog rows first, then registered models, then engines; ``engine`` and
    ``available_model`` name rows as in the inventory document). Text the CSV reader cannot
    read (a stray carriage return in an unquoted field…) is an error of the file."""
    reader = csv.DictReader(lines)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise _unreadable(error) from None
    if not header:
        raise RegistryValidationError({"file": ["the CSV file has no header row"]})
    key, kinds = header_section(header)
    reader.fieldnames = header
    return key, _records(reader, kinds)


def header_section(header: list[str]) -> tuple[str, dict[str, str]]:
    """The first section that knows every column, with the kind of each column; else the
    unknown columns are refused, listed against the section that knows most of them."""
    best: tuple[Section, list[str]] | None = None
    for section in (s for key in CSV_SECTIONS for s in SECTIONS if s.key == key):
        kinds = {item.name: item.type for item in section.declaration.fields}
        kinds.update((ref.key, "string") for ref in section.references)
        unknown = [name for name in header if name not in kinds]
        if not unknown:
            return section.key, kinds
        if best is None or len(unknown) < len(best[1]):
            best = (section, unknown)
    assert best is not None
    section, unknown = best
    raise unknown_keys_error(unknown, section.export_keys, "CSV column", "columns", under="file")


def _unreadable(error: csv.Error) -> RegistryValidationError:
    return RegistryValidationError({"file": [f"the CSV file cannot be read: {error}"]})


def _records(reader: csv.DictReader, kinds: dict[str, str]) -> Iterator[dict[str, Any]]:
    try:
        for record in reader:
            yield _row(record, kinds)
    except csv.Error as error:
        raise _unreadable(error) from None


def _row(record: dict[str | None, Any], kinds: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, cell in record.items():
        if name is None or cell is None:
            continue
        kind = kinds[name]
        if kind == "json" or (kind in {"list", "capabilities"} and cell.lstrip()[:1] == "["):
            if not cell.strip():
                continue
            try:
                row[name] = json.loads(cell)
            except ValueError as error:
                row[name] = InvalidCell(f"{name} is not valid JSON: {error}")
            except RecursionError:
                row[name] = InvalidCell(f"{name} is not valid JSON: nested too deeply")
        elif kind in NUMBERS and not cell.strip():
            row[name] = None  # how the export writes "no value"
        else:
            row[name] = restore(cell)  # text the export prefixed against formulas
    return row
