"""YAML import documents, read row by row and without alias expansion.

The file is parsed as a stream of events (libyaml's parser when PyYAML has it), so that a
section's rows are composed and constructed one at a time, like a streamed JSON file: the
top-level mapping is walked key by key, and a section (``catalog: [...]``) is read as
``StreamedYamlRows``, which parses the file again from the start each time it is iterated,
keeping one row in memory. Other values are read whole. Each row is built by PyYAML's own
composer and safe constructor, so it reads exactly as ``yaml.safe_load`` would read it.

Aliases: a few hundred bytes of nested aliases ("billion laughs") would otherwise expand to
billions of rows in every walk of the document. An alias of a list or mapping is refused
as it is met; aliases of scalars (a repeated string or number) expand nothing and are kept.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import IO, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import CollectionNode, Node, SequenceNode
from yaml.resolver import Resolver

from ...errors import RegistryValidationError
from .document import SECTION_KEYS

ALIAS_REFUSED = (
    "not valid YAML: aliases (*name) of lists or mappings are not accepted in an import; "
    "write the repeated part out"
)
READ_CHARS = 1 << 16

if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser as _Parser

    class _Events(_Parser, Composer, SafeConstructor, Resolver):  # type: ignore[misc]
        def __init__(self, stream: Any):
            _Parser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Events(Reader, Scanner, Parser, Composer, SafeConstructor, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: Any):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


class _Loader(_Events):
    """Composes and constructs one value at a time from the event stream."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            if isinstance(self.anchors.get(self.peek_event().anchor), CollectionNode):
                raise RegistryValidationError({"file": [ALIAS_REFUSED]})
            return super().compose_node(parent, index)
        anchor = self.peek_event().anchor
        node = super().compose_node(parent, index)
        if anchor is not None and isinstance(node, CollectionNode):
            # Only an alias would reach it again, and that is refused: keep a marker.
            self.anchors[anchor] = SequenceNode(node.tag, [], node.start_mark, node.end_mark)
        return node

    def value(self) -> Any:
        """The next value, composed and constructed."""
        return self.construct_document(self.compose_node(None, None))


class _TextReader:
    """A binary file read as UTF-8 text (a BOM dropped), chunk by chunk, for the parser."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()

    def read(self, size: int = READ_CHARS) -> str:
        data = self.handle.read(size)
        try:
            return self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise RegistryValidationError({"file": [f"file is not UTF-8 text: {error}"]}) from None


def _loader(handle: IO[bytes]) -> _Loader:
    handle.seek(0)
    return _Loader(_TextReader(handle))


def _walk(loader: _Loader) -> Iterator[tuple[bool, Any, bool]]:
    """Walk the document: ``(False, document, False)`` once for a document that is not a
    plain mapping (read whole; ``None`` for an empty file), else ``(True, key, section)`` for
    each key of the top-level mapping, leaving the parser before its value (a section's rows
    when ``section``), which the caller reads before the walk goes on."""
    loader.get_event()  # stream start
    if loader.check_event(StreamEndEvent):
        yield False, None, False
        return
    start = loader.get_event()  # document start
    if not loader.check_event(MappingStartEvent) or loader.peek_event().anchor is not None:
        yield False, loader.value(), False
    else:
        loader.get_event()
        while not loader.check_event(MappingEndEvent):
            key = loader.value()
            yield True, key, key in SECTION_KEYS and loader.check_event(SequenceStartEvent)
        loader.get_event()
    loader.get_event()  # document end
    if not loader.check_event(StreamEndEvent):
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            start.start_mark,
            "but found another document",
            loader.get_event().start_mark,
        )


def _rows(loader: _Loader) -> Iterator[Any]:
    """The rows of the sequence the parser is on."""
    event = loader.get_event()
    if event.anchor is not None:  # an alias of the whole section is refused
        loader.anchors[event.anchor] = SequenceNode(
            "tag:yaml.org,2002:seq", [], event.start_mark, event.end_mark
        )
    while not loader.check_event(SequenceEndEvent):
        yield loader.value()
    loader.get_event()


class StreamedYamlRows:
    """One section's rows, parsed from the file each time they are iterated."""

    def __init__(self, handle: IO[bytes], position: int, count: int):
        self.handle = handle
        self.position = position  # of its key in the top-level mapping (keys may repeat)
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        loader = _loader(self.handle)
        for position, (_, _key, section) in enumerate(_walk(loader)):
            if position == self.position:
                yield from _rows(loader)
                return
            if section:
                for _ in _rows(loader):
                    pass
            else:
                loader.value()


def read(handle: IO[bytes], check: Callable[[Any], Any]) -> Any:
    """The document with each section as ``StreamedYamlRows`` (other keys as read), after a
    first pass over the whole file; ``check`` refuses unstorable text in each value read.
    ``yaml.YAMLError`` for bad YAML."""
    loader = _loader(handle)
    document: dict[Any, Any] = {}
    for position, (mapping, key, section) in enumerate(_walk(loader)):
        if not mapping:
            return check(key)  # not a mapping: the caller refuses it with its keys listed
        check(key)
        if section:
            count = sum(1 for _ in map(check, _rows(loader)))
            document[key] = StreamedYamlRows(handle, position, count)
        else:
            document[key] = check(loader.value())
    return document
