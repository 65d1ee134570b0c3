"""Request body parsers of the API."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """JSON bodies, with ``NaN`` and ``Infinity`` read as numbers so that the core refuses
    them by field with its own message, exactly as the SDK does for the same payload. A body
    nested too deeply for the parser is a parse error (400), not a crash."""

    strict = False

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply"
            ) from error
