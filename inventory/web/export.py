"""Streaming CSV and JSON exports of a filtered list, in the SDK's row shape (in CSV, rows
of other entities by name: ``transfer.csv_records``).

Rows come from ``inventory.listing.iter_rows``, which reads the database in chunks, and are
encoded one at a time, so an export of a large inventory never sits in memory whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from ..csv_cells import csv_cell
from ..listing import ListRequest, iter_rows
from ..workflows import transfer

FORMATS = ("csv", "json")


class _Line:
    """A write-only file for ``csv.writer`` that hands back what was written."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header and one line per row, every cell through ``csv_cell`` (formulas
    neutralized)."""
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(row[column]) for column in columns])


def json_chunks(request: ListRequest, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``{"filters", "sort", "rows"}``: the SDK's ``all()`` envelope, written row by row."""
    head = {"filters": request.filters, "sort": request.sort}
    yield json.dumps(head, cls=DjangoJSONEncoder)[:-1] + ', "rows": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, cls=DjangoJSONEncoder)
    yield "\n]}\n"


def export_response(request: ListRequest, fmt: str, basename: str) -> StreamingHttpResponse:
    rows = iter_rows(request)
    if fmt == "csv":  # references by name, so that the file imports back
        columns = transfer.csv_columns(request.declaration)
        content: Iterator[str] = csv_lines(columns, transfer.csv_records(request.declaration, rows))
        content_type = "text/csv; charset=utf-8"
    else:
        content = json_chunks(request, rows)
        content_type = "application/json"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    return response
