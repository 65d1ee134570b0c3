"""Who may call the API: bearer tokens for modules, Django model permissions for access."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from inventory.models import ApiToken

from .throttles import FailedAuthThrottle

KEYWORDS = ("bearer", "token")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (or ``Token <token>``), checked against stored hashes.

    Refusals are counted per client address (``FailedAuthThrottle``)."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken | None] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in KEYWORDS:
            return None
        throttle = FailedAuthThrottle()
        throttle.refuse_if_exhausted(request)
        try:
            row = self._check(header)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise
        return row.user, row  # request.auth: the token (its name is the actor in history)

    @staticmethod
    def _check(header: list[bytes]) -> ApiToken:
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "invalid Authorization header: expected 'Bearer <token>'"
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("invalid token") from error
        row = ApiToken.valid(token)
        if row is None:
            raise exceptions.AuthenticationFailed("invalid token")
        return row

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, with reads requiring the ``view_*`` permission."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
