"""The import endpoint's own body limit (``settings.IMPORT_MAX_BYTES``, 64 MB by default),
above Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` that every other request keeps.

Beyond it the answer is the API's 413, naming the limit. A JSON body up to the limit is read
here, before DRF asks Django for ``request.body`` (which enforces Django's smaller limit); an
upload (multipart) is spooled to a temporary file by Django and streamed from there by the
import, so only its size is checked.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request

from inventory.failures import too_large_message

from .parsers import PayloadTooLarge


def import_limit() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def refuse_if_too_large(size: int | None) -> None:
    limit = import_limit()
    if size is not None and size > limit:
        raise PayloadTooLarge(too_large_message(limit))


def read_import_body(request: Request) -> None:
    """Refuse a body whose ``Content-Length`` is over the limit before reading it; read any
    other non-multipart body within the limit, so that ``request.body`` is that text."""
    django_request = request._request
    try:
        declared = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    refuse_if_too_large(declared)
    if request.content_type.startswith("multipart/"):
        return
    if hasattr(django_request, "_body") or django_request._read_started:
        return
    data = django_request.read(import_limit() + 1)
    refuse_if_too_large(len(data))
    django_request._body = data
