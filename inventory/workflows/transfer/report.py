"""The import report in other shapes: refusals grouped by cause, and the whole report as a
JSON or CSV file (the command's ``--report FILE``, the import page's download links)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

REPORT_FORMATS = ("json", "csv")
CSV_COLUMNS = ("section", "row", "name", "action", "field", "message", "moved_capabilities")

# Quoted values and numbers vary from row to row; what is left names the cause.
_VALUES = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\b\d+(?:\.\d+)?(?:e-?\d+)?\b")


_LISTED = re.compile(r"…(?:, …)+")


def cause(message: str) -> str:
    """A message with its row-specific values (and lists of them) replaced by ``…``, to group
    refusals by."""
    return _LISTED.sub("…", _VALUES.sub("…", message))


def refusal_groups(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Errors counted by section, field and cause, most frequent first."""
    counted = Counter((item["section"], item["field"], cause(item["message"])) for item in errors)
    return [
        {"section": section, "field": field, "cause": text, "count": count}
        for (section, field, text), count in sorted(
            counted.items(), key=lambda entry: (-entry[1], entry[0])
        )
    ]


def report_filename(fmt: str) -> str:
    return f"import-report.{fmt}"


def report_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def report_csv_records(report: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """One record per row outcome; a refused row gets one record per error."""
    errors: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for item in report.get("errors", []):
        errors.setdefault((item["section"], item["row"]), []).append(item)
    for row in report.get("rows", []):
        base = {
            "section": row["section"],
            "row": row["row"],
            "name": "" if row.get("name") is None else row["name"],
            "action": row["action"],
            "field": "",
            "message": "",
            "moved_capabilities": ",".join(row.get("moved_capabilities", [])),
        }
        found = errors.get((row["section"], row["row"])) or [None]
        for item in found:
            yield (
                base
                if item is None
                else {**base, "field": item["field"], "message": item["message"]}
            )


def report_csv_chunks(report: Mapping[str, Any], chunk_rows: int = 1000) -> Iterator[str]:
    """The CSV text in chunks (for streaming responses and files)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for count, record in enumerate(report_csv_records(report), start=1):
        writer.writerow(record)
        if count % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def report_text(report: Mapping[str, Any], fmt: str) -> str:
    return report_json(report) if fmt == "json" else "".join(report_csv_chunks(report))
