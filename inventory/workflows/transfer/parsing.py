"""Reading an import file: its text, then the document from JSON, YAML or (one list) CSV,
checked for its keys, format, version and storable text."""

from __future__ import annotations

import io
from typing import IO, Any

import yaml

from ...errors import RegistryValidationError, unknown_keys_error
from ...models.fields import text_error
from . import streaming, yaml_document
from .document import DOCUMENT_KEYS, FORMAT_NAME, FORMAT_VERSION, KNOWLEDGE, SECTION_KEYS, _format

SURROGATES = "file must be valid Unicode text (no lone surrogates)"


def decode_text(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RegistryValidationError({"file": [f"file is not UTF-8 text: {error}"]}) from None
    return source.removeprefix("\ufeff")


Source = str | bytes | IO[bytes]


def parse(source: Source, fmt: str = "json") -> dict[str, Any]:
    """The import document from JSON, YAML or (one list) CSV: text, bytes or a binary
    file, streamed: sections are read row by row when imported (see ``streaming`` and
    ``yaml_document``)."""
    fmt = _format(fmt)
    handle = _binary(source)
    if fmt == "yaml":
        try:
            document = yaml_document.read(handle, _storable)
        except yaml.YAMLError as error:
            raise RegistryValidationError({"file": [f"not valid YAML: {error}"]}) from None
        except RecursionError:
            raise RegistryValidationError({"file": ["not valid YAML: nested too deeply"]}) from None
    elif fmt == "csv":
        return streaming.read_csv(handle, _storable)
    else:
        document = streaming.read_json(handle, _storable)
    return _checked(document)


def _binary(source: Source) -> IO[bytes]:
    """A seekable binary file of the source (text is encoded, refusing lone surrogates)."""
    if isinstance(source, str):
        try:
            return io.BytesIO(source.encode("utf-8"))
        except UnicodeEncodeError:
            raise RegistryValidationError({"file": [SURROGATES]}) from None
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    return source


def _checked(document: Any) -> dict[str, Any]:
    """The document's keys, format, version and section types checked."""
    if not isinstance(document, dict):
        raise RegistryValidationError(
            {"file": [f"the document must be an object with keys: {', '.join(DOCUMENT_KEYS)}"]}
        )
    unknown = [key for key in document if key not in DOCUMENT_KEYS]
    if unknown:
        raise unknown_keys_error(unknown, DOCUMENT_KEYS, "key", under="file")
    if document.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise RegistryValidationError({"format": [f"format must be {FORMAT_NAME!r}"]})
    if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise RegistryValidationError({"version": [f"version must be {FORMAT_VERSION}"]})
    for key in SECTION_KEYS:
        rows = document.get(key, [])
        if not isinstance(rows, list | streaming.StreamedRows | yaml_document.StreamedYamlRows):
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
                raise RegistryValidationError({"file": [SURROGATES]})
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return document
