"""The export: the whole inventory as a JSON or YAML document, streamed row by row."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from django.db import connection, models
from django.db.models import F
from django.db.models.functions import Collate

from ...models import KnowledgeSettings
from ...vocabulary_service import export_vocabulary
from .document import (
    EXPORT_FORMATS,
    FORMAT_NAME,
    FORMAT_VERSION,
    KNOWLEDGE,
    SECTIONS,
    VOCABULARY,
    Section,
    _format,
)

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def canonical(value: Any) -> Any:
    """JSON value with object keys sorted at every level (PostgreSQL ``jsonb`` reorders keys)."""
    if isinstance(value, Mapping):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


#: Rows read per query: the export walks each table by keyset on its name.
CHUNK_SIZE = 2000


def _name_key() -> Any:
    """The export's order: names in byte order (``COLLATE "C"`` on PostgreSQL, served by the
    ``<table>_name_c_idx`` expression index; SQLite compares text bytewise already). Names are
    unique, so the order is total and the same on every database."""
    return Collate(F("name"), "C") if connection.vendor == "postgresql" else F("name")


def chunk_query(queryset: models.QuerySet, attrs: list[str], last: str | None) -> Any:
    """The values of the ``CHUNK_SIZE`` rows after the name ``last`` (from the first without
    it), in export order."""
    ordered = queryset.alias(_export_name=_name_key()).order_by("_export_name")
    if last is not None:
        ordered = ordered.filter(_export_name__gt=last)
    return ordered.values(*attrs, "name")[:CHUNK_SIZE]


def _by_name_chunks(queryset: models.QuerySet, attrs: list[str]) -> Iterator[list[dict]]:
    """The rows' values in name order, ``CHUNK_SIZE`` a query, each chunk after the last name
    of the one before (keyset), so the last chunk costs what the first does."""
    last = None
    while True:
        chunk = list(chunk_query(queryset, attrs, last))
        if chunk:
            yield chunk
        if len(chunk) < CHUNK_SIZE:
            return
        last = chunk[-1]["name"]


def export_rows(section: Section) -> Iterator[dict[str, Any]]:
    """The rows of one section in export form, streamed in name order."""
    fields = section.declaration.writable_fields
    references = {ref.payload_key: ref for ref in section.references}
    attrs = [item.source for item in fields] + [ref.lookup for ref in section.references]
    for chunk in _by_name_chunks(section.model._default_manager.all(), attrs):
        for values in chunk:
            row: dict[str, Any] = {}
            for item in fields:
                ref = references.get(item.name)
                if ref is not None:
                    row[ref.key] = values[ref.lookup]
                else:
                    row[item.name] = canonical(item.serialize(values[item.source], values))
            yield row


def export_knowledge() -> dict[str, Any]:
    settings = (
        KnowledgeSettings.objects.filter(pk=KnowledgeSettings.SINGLETON_ID)
        .values("enabled", "embedding_model__name")
        .first()
    ) or {"enabled": False, "embedding_model__name": None}
    return {"enabled": settings["enabled"], "embedding_model": settings["embedding_model__name"]}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _yaml(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def export_chunks(fmt: str = "json") -> Iterator[str]:
    """The export document as text chunks (one per row), for streaming responses."""
    fmt = _format(fmt, EXPORT_FORMATS)
    header: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    added = export_vocabulary()
    if added["terms"] or added["aliases"]:
        header[VOCABULARY] = added  # only when administrators added terms or aliases
    if fmt == "json":
        yield "{\n" + "".join(f"  {_json(k)}: {_json(v)},\n" for k, v in header.items())
        for section in SECTIONS:
            yield f"  {_json(section.key)}: ["
            separator = "\n"
            for row in export_rows(section):
                yield f"{separator}    {_json(row)}"
                separator = ",\n"
            yield "\n  ],\n" if separator != "\n" else "],\n"
        yield f"  {_json(KNOWLEDGE)}: {_json(export_knowledge())}\n}}\n"
        return
    yield _yaml(header)
    for section in SECTIONS:
        empty = True
        for row in export_rows(section):
            if empty:
                yield f"{section.key}:\n"
                empty = False
            yield _yaml([row])
        if empty:
            yield f"{section.key}: []\n"
    yield _yaml({KNOWLEDGE: export_knowledge()})


def export_inventory(fmt: str = "json") -> str:
    return "".join(export_chunks(fmt))


def export_filename(fmt: str) -> str:
    return f"inventory.{_format(fmt, EXPORT_FORMATS)}"
