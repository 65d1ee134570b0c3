"""The import endpoint's own body limit (``settings.IMPORT_MAX_BYTES``, 64 MB by default),
above Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` that every other request keeps.

Beyond it the answer is a 413 in the API's error shape, naming the limit. A JSON body up to
the limit is read here, so that Django's smaller limit does not refuse it later; an upload
(multipart) is spooled to a temporary file by Django and streamed from there by the import.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.request import Request


class ImportTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def too_large_message(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


def import_limit() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def refuse_if_too_large(size: int | None) -> None:
    limit = import_limit()
    if size is not None and size > limit:
        raise ImportTooLarge(too_large_message(limit))


def read_import_body(request: Request) -> None:
    """Check the declared size, then read a non-multipart body within the import limit."""
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
