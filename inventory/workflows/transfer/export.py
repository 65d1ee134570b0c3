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


def _by_name(queryset: models.QuerySet) -> models.QuerySet:
    if connection.vendor == "postgresql":
        return queryset.order_by(Collate(F("name"), "C"))
    return queryset.order_by("name")


def export_rows(section: Section) -> Iterator[dict[str, Any]]:
    """The rows of one section in export form, streamed in name order."""
    fields = section.declaration.writable_fields
    references = {ref.payload_key: ref for ref in section.references}
    attrs = [item.source for item in fields] + [ref.lookup for ref in section.references]
    queryset = _by_name(section.model._default_manager.all()).values(*attrs)
    for values in queryset.iterator(chunk_size=2000):
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
