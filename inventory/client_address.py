"""The client's address for login lockouts: ``REMOTE_ADDR``, or, behind a trusted proxy
(``TRUSTED_PROXY``), the last ``X-Forwarded-For`` entry, the one that proxy appended.
Entries before it come from the client and are not trusted (DRF's throttles read the same
entry, ``NUM_PROXIES = 1``)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
