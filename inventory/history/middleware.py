"""Each web, admin or API request is one operation, attributed to its user or API token.

The operation id is the request id (``X-Request-ID``, set by ``RequestIDMiddleware``) when
there is one, so the changes of a request can be found from its response.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context


def request_actor(request: HttpRequest) -> str:
    """The API token's name for a module (its user's name when the token has none), else
    the logged-in user's name. Resolved at the first change, after DRF authenticated."""
    token = getattr(request, "auth", None)
    name = getattr(token, "name", "")
    if name:
        return name
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return "anonymous"


def request_source(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


def request_uuid(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(getattr(request, "id", "")))
    except ValueError:
        return None


class ChangeContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.operation(
            lambda: request_actor(request),
            request_source(request.path_info),
            new=True,
            id=request_uuid(request),
        ):
            return self.get_response(request)
