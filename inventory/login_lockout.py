"""The login lockout backend: django-axes' check, for logins that come with a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name and address (django-axes).

    ``authenticate()`` without a request (a management command, the shell) is no login
    attempt from an address: it is left to the next backend instead of failing, as Axes'
    own backend would.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
