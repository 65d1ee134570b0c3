"""How failures are answered: JSON ``{"detail", "errors"}`` under ``/api/``, the styled error
page elsewhere, with the request id in both and the details only in the log.

These are the site's ``handler400/403/404/500`` (``registry_site/urls.py``), so they answer
for failures raised anywhere: in a view, a DRF view, or a middleware (session, login, CSRF).

- The database unreachable, read-only or out of disk → 503 with ``Retry-After``.
- A request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or too many fields or files) → 413
  naming the limit.
- Anything unexpected → 500 naming the request id (``X-Request-ID``).
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from .errors import NON_FIELD

#: Seconds a client is asked to wait when the database is unavailable.
RETRY_AFTER_SECONDS = 5

#: SQLSTATE classes meaning "the database cannot serve now": 08 connection exception,
#: 25006 read-only transaction, 53 insufficient resources (disk full), 57 operator
#: intervention (shutdown, restart).
UNAVAILABLE_SQLSTATES = ("08", "25006", "53", "57")

#: Pages under /api/ that are HTML for people, not API endpoints.
API_HTML_PAGES = ("/api/docs/", "/api/redoc/")


def is_api(request: HttpRequest) -> bool:
    path = request.path
    return path.startswith("/api/") and not path.startswith(API_HTML_PAGES)


def request_id(request: HttpRequest) -> str:
    return getattr(request, "id", "") or "none"


def database_unavailable(error: BaseException | None) -> bool:
    """True for a database that is down, read-only or full, as opposed to a bug in a query."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    if isinstance(error, DatabaseError):
        sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
        return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    return False


def too_large_message(limit: int) -> str:
    return f"request body too large: the limit is {limit} bytes"


def plain_text_error(message: str, status: int = 400) -> HttpResponse:
    """A refusal for a download link (an export): the message as ``text/plain``, which the
    browser never reads as HTML (``X-Content-Type-Options: nosniff``), so request input in
    the message cannot become markup."""
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _answer(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    *,
    field: str = NON_FIELD,
    with_user: bool = True,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    if is_api(request):
        response: HttpResponse = JsonResponse(
            {"detail": message, "errors": {field: [message]}}, status=status
        )
    else:
        context: dict[str, Any] = {
            "status": status,
            "title": title,
            "message": message,
            "request_id": request_id(request),
        }
        # Without the request (no context processors) the page needs no session or user:
        # it renders even while the database is down.
        page = loader.render_to_string("error.html", context, request if with_user else None)
        response = HttpResponse(page, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    return _answer(
        request,
        503,
        "Service unavailable",
        "the database is unavailable; try again shortly",
        with_user=False,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def too_large_response(request: HttpRequest, error: Exception) -> HttpResponse:
    if isinstance(error, RequestDataTooBig):
        message = too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(error, TooManyFilesSent):
        message = f"too many files: the limit is {settings.DATA_UPLOAD_MAX_NUMBER_FILES}"
    else:
        message = f"too many fields: the limit is {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}"
    return _answer(request, 413, "Request too large", message, with_user=False)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large_response(request, exception)
    return _answer(request, 400, "Bad request", "the request could not be understood")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(
        request,
        403,
        "Not allowed",
        "Your account does not have the permission this page needs. "
        "Ask an administrator to grant it.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: Django's own page has inline styles the policy refuses."""
    return _answer(
        request,
        403,
        "Form expired",
        "the form's security token is missing or out of date; reload the page and try again",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "Not found", f"nothing at {request.path}")


def server_error(request: HttpRequest) -> HttpResponse:
    """Called by Django inside its ``except`` block, so the error is ``sys.exc_info()``."""
    error = sys.exc_info()[1]
    if database_unavailable(error):
        return database_unavailable_response(request)
    message = (
        f"internal server error (request id {request_id(request)}); "
        "the details are in the server log"
    )
    return _answer(request, 500, "Server error", message, with_user=False)
