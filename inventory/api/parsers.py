"""Request body parsers of the API."""

from __future__ import annotations

from rest_framework import parsers


class JSONParser(parsers.JSONParser):
    """JSON bodies, with ``NaN`` and ``Infinity`` read as numbers so that the core refuses
    them by field with its own message, exactly as the SDK does for the same payload."""

    strict = False
