"""Request body parsers of the API."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, status

from inventory.failures import too_large_message


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def body_limit(parser_context: Any) -> int:
    """The largest body a view accepts: its ``max_body_size`` if it sets one (an import
    endpoint may take more), else ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    view = (parser_context or {}).get("view")
    return getattr(view, "max_body_size", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def read_bounded(stream: Any, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes (never reads more)."""
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise PayloadTooLarge(too_large_message(limit))
    return body


class JSONParser(parsers.JSONParser):
    """JSON bodies, with ``NaN`` and ``Infinity`` read as numbers so that the core refuses
    them by field with its own message, exactly as the SDK does for the same payload. A body
    nested too deeply for the parser is a parse error (400), not a crash; a body over the
    limit is a 413 naming the limit."""

    strict = False

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        body = read_bounded(stream, body_limit(parser_context))
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply"
            ) from error
