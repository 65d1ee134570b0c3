"""Streaming CSV and JSON exports of a filtered list, in the SDK's row shape (in CSV, rows
of other entities by name: ``transfer.csv_records``).

Rows are read by keyset in chunks (``inventory.keyset``), so an export of a large inventory
never sits in memory whole and its last chunk costs what its first does. Each chunk is
encoded at once: the CSV column by column (every column's cells through ``csv_cells``, then
one ``writerows``), the JSON row by row with one encoder, and handed on as one piece of text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from ..csv_cells import csv_cell, csv_column
from ..keyset import Keyset
from ..listing import ListRequest
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


def columns_of(request: ListRequest, chunk: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """Each field's values over a chunk of rows (with their page context), as
    ``ListDeclaration.serialize`` gives them, column by column."""
    for _name, source, convert in request.declaration.plan:
        if convert is None:
            yield [values[source] for values in chunk]
        else:
            yield [convert(values) for values in chunk]


def csv_chunks(request: ListRequest, chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The header, then one piece of CSV text per chunk of rows, encoded column by column
    (the same cells as ``csv_lines`` of the serialized rows), other entities' rows by name
    so that the file imports back (``transfer.named_columns``)."""
    declaration = request.declaration
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(transfer.csv_columns(declaration))
    for chunk in chunks:
        named = transfer.named_columns(declaration, list(columns_of(request, chunk)))
        columns = [csv_column(values) for values in named]
        writer.writerows(zip(*columns, strict=True))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # the header of an export without rows
        yield buffer.getvalue()


def json_chunks(request: ListRequest, chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """``{"filters", "sort", "rows"}``: the SDK's ``all()`` envelope, one piece per chunk."""
    encode = DjangoJSONEncoder().encode
    serialize = request.declaration.serialize
    head = {"filters": request.filters, "sort": request.sort}
    separator = "\n"
    yield encode(head)[:-1] + ', "rows": ['
    for chunk in chunks:
        yield separator + ",\n".join(encode(serialize(values)) for values in chunk)
        separator = ",\n"
    yield "\n]}\n"


def export_response(request: ListRequest, fmt: str, basename: str) -> StreamingHttpResponse:
    chunks = Keyset(request).walk()
    if fmt == "csv":
        content = csv_chunks(request, chunks)
        content_type = "text/csv; charset=utf-8"
    else:
        content = json_chunks(request, chunks)
        content_type = "application/json"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    return response
