"""Reading a JSON or CSV import file row by row, so that memory stays bounded as files grow.

A JSON document is read twice from its (seekable) file. The first pass checks the whole
document — syntax, top-level keys, format, version, section types, storable text — counts the
rows of each section and notes where each section starts; nothing else is kept. Each
section's rows are then read again from that point, one at a time, when the import asks for
them. Values are decoded by the ``json`` module's own decoder, so a streamed file reads
exactly as ``json.loads`` would read it (big integers, ``NaN``, escapes, lone surrogates —
which are then refused). A CSV file is read the same way, line by line. YAML documents are
read whole (see ``parsing``).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from ...errors import RegistryValidationError
from .csv_catalog import csv_table
from .document import SECTION_KEYS

READ_BYTES = 1 << 16
MAX_VALUE_CHARS = 16 * 1024 * 1024  # one row (or header value) larger than this is refused
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE_END = re.compile(r"\r\n|\r|\n")
_DECODER = json.JSONDecoder()
BOM = "\ufeff"


def file_error(message: str) -> RegistryValidationError:
    return RegistryValidationError({"file": [message]})


class JsonReader:
    """A cursor over the decoded text of a binary file, read in chunks; consumed text is
    dropped, so only the value being read is held in memory."""

    def __init__(self, handle: IO[bytes], byte_offset: int = 0):
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buffer = ""
        self.pos = 0
        self.base_chars = 0
        self.base_bytes = byte_offset
        self.eof = False
        self.started = byte_offset > 0
        #: whether the last value read held a ``\u`` escape
        self.escaped = False

    def fill(self) -> bool:
        """Read the next chunk; ``False`` at the end of the file."""
        if self.eof:
            return False
        data = self.handle.read(READ_BYTES)
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise file_error(f"file is not UTF-8 text: {error}") from None
        if not data:
            self.eof = True
        if not self.started and text:
            self.started = True
            if text.startswith(BOM):
                text = text[1:]
                self.base_bytes += len(BOM.encode())
        if self.pos:
            consumed = self.buffer[: self.pos]
            self.base_chars += len(consumed)
            self.base_bytes += len(consumed.encode("utf-8"))
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += text
        return True

    def error(self, message: str, pos: int | None = None) -> RegistryValidationError:
        where = self.base_chars + (self.pos if pos is None else pos)
        return file_error(f"not valid JSON: {message} (char {where})")

    def skip_whitespace(self) -> None:
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buffer) or not self.fill():
                return

    def peek(self) -> str:
        self.skip_whitespace()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            wanted = " or ".join(repr(item) for item in allowed)
            raise self.error(f"Expecting {wanted}")
        self.pos += 1
        return char

    def byte_offset(self) -> int:
        """The file offset of the cursor (after white space)."""
        self.skip_whitespace()
        return self.base_bytes + len(self.buffer[: self.pos].encode("utf-8"))

    def value(self) -> Any:
        """The next JSON value, decoded by ``json``; more of the file is read while the value
        is incomplete."""
        self.skip_whitespace()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self.eof or len(self.buffer) - self.pos > MAX_VALUE_CHARS:
                    raise self.error(error.msg, error.pos) from None
                self.fill()
                continue
            except RecursionError:
                raise file_error("not valid JSON: nested too deeply") from None
            if end == len(self.buffer) and not self.eof:
                self.fill()  # a number may go on in the next chunk
                continue
            # Text decoded from UTF-8 holds no lone surrogate: only a ``\u`` escape can.
            self.escaped = self.buffer.find("\\u", self.pos, end) != -1
            self.pos = end
            return value

    def end(self) -> None:
        if self.peek():
            raise self.error("Extra data")


class StreamedRows:
    """One section's rows, read from the file each time they are iterated."""

    def __init__(self, handle: IO[bytes], offset: int, count: int):
        self.handle = handle
        self.offset = offset
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        self.handle.seek(self.offset)
        reader = JsonReader(self.handle, self.offset)
        reader.expect("[")
        if reader.peek() == "]":
            return
        while True:
            yield reader.value()  # checked by the first pass (``_scan_section``)
            if reader.expect(",]") == "]":
                return


def read_json(handle: IO[bytes], check: Callable[[Any], Any]) -> Any:
    """The document with each section as ``StreamedRows`` (other keys as read), after a first
    pass over the whole file; ``check`` refuses unstorable text in each value read."""
    handle.seek(0)
    reader = JsonReader(handle)
    if reader.peek() != "{":
        document = check(reader.value())
        reader.end()
        return document  # not an object: the caller refuses it with its keys listed
    reader.expect("{")
    document: dict[str, Any] = {}
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            if reader.peek() != '"':
                raise reader.error("Expecting property name enclosed in double quotes")
            key = check(reader.value())
            reader.expect(":")
            if key in SECTION_KEYS and reader.peek() == "[":
                document[key] = _scan_section(reader, handle, check)
            else:
                document[key] = check(reader.value())
            if reader.expect(",}") == "}":
                break
    reader.end()
    return document


def _scan_section(reader: JsonReader, handle: IO[bytes], check: Callable) -> StreamedRows:
    offset = reader.byte_offset()
    reader.expect("[")
    count = 0
    if reader.peek() == "]":
        reader.pos += 1
    else:
        while True:
            value = reader.value()
            if reader.escaped:  # no escape, no unstorable text: nothing to walk
                check(value)
            count += 1
            if reader.expect(",]") == "]":
                break
    return StreamedRows(handle, offset, count)


class StreamedCsvRows:
    """The rows of a CSV file (of the section its header names), read line by line each time
    they are iterated."""

    def __init__(self, handle: IO[bytes], check: Callable[[Any], Any]):
        self.handle = handle
        self.check = check
        self.section = csv_table(self._lines())[0]
        self.count = sum(1 for _ in self._rows())

    def _lines(self) -> Iterator[str]:
        """Lines ending at ``\r\n``, ``\r`` or ``\n``, ends kept: what a text file opened
        with ``newline=""`` gives, as ``csv`` wants it."""
        self.handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        pending = ""
        while True:
            data = self.handle.read(READ_BYTES)
            try:
                pending += decoder.decode(data, final=not data)
            except UnicodeDecodeError as error:
                raise file_error(f"file is not UTF-8 text: {error}") from None
            start = 0
            for end in _LINE_END.finditer(pending):
                if end.group() == "\r" and end.end() == len(pending) and data:
                    break  # a "\r\n" may be cut between two chunks
                yield pending[start : end.end()]
                start = end.end()
            pending = pending[start:]
            if not data:
                break
        if pending:
            yield pending

    def _rows(self) -> Iterator[dict[str, Any]]:
        for row in csv_table(self._lines())[1]:
            yield self.check(row)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._rows()


def read_csv(handle: IO[bytes], check: Callable[[Any], Any]) -> dict[str, Any]:
    rows = StreamedCsvRows(handle, check)
    return {rows.section: rows}
