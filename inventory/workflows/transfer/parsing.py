"""Reading an import file: its text, then the document from JSON, YAML or (catalog only) CSV,
checked for its keys, format, version and storable text."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ...errors import RegistryValidationError
from ...models.fields import text_error
from . import yaml_document
from .csv_catalog import parse_csv
from .document import DOCUMENT_KEYS, FORMAT_NAME, FORMAT_VERSION, KNOWLEDGE, SECTION_KEYS, _format


def decode_text(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RegistryValidationError({"file": [f"file is not UTF-8 text: {error}"]}) from None
    return source.removeprefix("\ufeff")


def parse(source: str | bytes, fmt: str = "json") -> dict[str, Any]:
    """The import document from JSON, YAML or (catalog only) CSV text."""
    fmt = _format(fmt)
    text = decode_text(source)
    if fmt == "csv":
        return _storable(parse_csv(text))
    try:
        document = json.loads(text) if fmt == "json" else yaml_document.load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise RegistryValidationError({"file": [f"not valid {fmt.upper()}: {error}"]}) from None
    except RecursionError:
        raise RegistryValidationError(
            {"file": [f"not valid {fmt.upper()}: nested too deeply"]}
        ) from None
    _storable(document)
    if not isinstance(document, dict):
        raise RegistryValidationError(
            {"file": [f"the document must be an object with keys: {', '.join(DOCUMENT_KEYS)}"]}
        )
    unknown = [key for key in document if key not in DOCUMENT_KEYS]
    if unknown:
        raise RegistryValidationError(
            {
                "file": [
                    f"unknown key(s) {', '.join(map(repr, unknown))}; "
                    f"keys: {', '.join(DOCUMENT_KEYS)}"
                ]
            }
        )
    if document.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise RegistryValidationError({"format": [f"format must be {FORMAT_NAME!r}"]})
    if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise RegistryValidationError({"version": [f"version must be {FORMAT_VERSION}"]})
    for key in SECTION_KEYS:
        if not isinstance(document.get(key, []), list):
            raise RegistryValidationError({key: [f"{key} must be a list of rows"]})
    if not isinstance(document.get(KNOWLEDGE, {}), dict):
        raise RegistryValidationError({KNOWLEDGE: [f"{KNOWLEDGE} must be an object"]})
    return document


def _storable(document: Any) -> Any:
    """Refuse a document holding text no database can store (a lone surrogate, from a
    ``\\ud800`` escape) before any of it reaches a query. Walked without recursion."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and text_error("file", item.replace("\x00", "")):
                raise RegistryValidationError(
                    {"file": ["file must be valid Unicode text (no lone surrogates)"]}
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return document
