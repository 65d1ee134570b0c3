"""One error body for every API failure: ``{"detail": <first message>, "errors": {...}}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from inventory.errors import NON_FIELD, RegistryProtectedError, RegistryValidationError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "the row changed since it was read (If-Match does not match its ETag)"
    default_code = "precondition_failed"


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, list | tuple):
        return [message for item in detail for message in _messages(item)]
    if isinstance(detail, dict):
        return [message for item in detail.values() for message in _messages(item)]
    return [str(detail)]


def _errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {NON_FIELD: _messages(detail)}


def _encodable(value: Any) -> Any:
    """Error text as UTF-8 can carry it: a lone surrogate echoed from the request (a field
    name, a value in a message) is written as its escape instead of breaking the response."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    return value


def error_response(error: RegistryValidationError, code: int, headers: Any = None) -> Response:
    return Response(_encodable(error.as_dict()), status=code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: registry errors keep their fields, the rest gets the same shape."""
    if isinstance(exc, RegistryProtectedError):
        set_rollback()
        return error_response(exc, status.HTTP_409_CONFLICT)
    if isinstance(exc, RegistryValidationError):
        set_rollback()
        return error_response(exc, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    set_rollback()
    return error_response(RegistryValidationError(_errors(exc.detail)), exc.status_code, headers)


@csrf_exempt  # it changes nothing; a refused CSRF check would hide the redirect
def no_endpoint(request: HttpRequest) -> HttpResponse:
    """Any path under ``/api/`` that names no endpoint.

    A path that only lacks its trailing slash gets a 308 to the slashed path: unlike the 301
    Django would send, a 308 keeps the method and body, so a module's ``POST`` cannot turn
    into a ``GET`` of the list. Anything else is a 404 in the API's error shape.
    """
    slashed = request.path_info + "/"
    if not request.path_info.endswith("/") and resolve(slashed).func is not no_endpoint:
        url = request.get_full_path(force_append_slash=True)
        return HttpResponsePermanentRedirect(url, preserve_request=True)
    error = RegistryValidationError(f"no API endpoint at {request.path}")
    return JsonResponse(error.as_dict(), status=status.HTTP_404_NOT_FOUND)
