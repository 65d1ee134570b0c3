"""The session and its user in one query.

``SessionStore`` keeps sessions in ``UserSession``, whose ``user`` column is written from the
session's ``_auth_user_id`` whenever the session is saved, and read with the session row by
one statement (``SESSION_READ``). ``SessionUserMiddleware`` (in place of Django's
``AuthenticationMiddleware``) resolves ``request.user`` through ``django.contrib.auth.get_user``
as before — the backend path, ``is_active`` and the session hash that ends every session of a
user whose password changed are all checked by Django's own code — but the backend's
``get_user`` takes the user row already read with the session instead of querying again.

Nothing is cached between requests: each request reads its session and user afresh, so a
logout (the session row is deleted) or a password change ends the session on every worker at
once. What is kept is the statement (``inventory.joined_reads``): written once, run by each
request.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from inventory.joined_reads import JoinedRead, PreparedValues
from inventory.models import UserSession

#: The session store of the request whose user ``auth.get_user`` is resolving, set only
#: for the length of that call.
_resolving: ContextVar[Any] = ContextVar("resolving_session", default=None)


def _permissions_of(user_id: int) -> models.QuerySet:
    """``app_label, codename`` of a user's own permissions and their groups'."""
    own = get_user_model().user_permissions.through.objects.filter(user_id=user_id)
    grouped = Group.permissions.through.objects.filter(group__user=user_id)
    return (
        Permission.objects.filter(
            Q(pk__in=own.values("permission_id")) | Q(pk__in=grouped.values("permission_id"))
        )
        .values_list("content_type__app_label", "codename")
        .order_by()
    )


PERMISSIONS = PreparedValues(Permission, _permissions_of)

#: The unexpired session of a key, with its user.
SESSION_READ = JoinedRead(UserSession, "user", "r.session_key = %s AND r.expire_date > %s")


class SessionStore(DatabaseSessionStore):
    """Database sessions with the user as a column, read with the session."""

    #: The user row read with the session (``None`` before login or when not loaded).
    user_row: Any = None

    @classmethod
    def get_model_class(cls) -> type:
        return UserSession

    def _get_session_from_db(self) -> Any:
        """The unexpired session row, its user attached, in one statement (``None`` when
        there is none: the key is then dropped, as Django's store does)."""
        row = SESSION_READ.first(
            [("session_key", self.session_key), ("expire_date", timezone.now())]
        )
        if row is None:
            self._session_key = None
        return row

    def load(self) -> dict[str, Any]:
        row = self._get_session_from_db()
        self.user_row = row.user if row is not None else None
        return self.decode(row.session_data) if row is not None else {}

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        instance.user_id = user_pk(data.get(SESSION_KEY))
        return instance


def user_pk(value: Any) -> Any:
    """The user id a session names, as the user table's key (``None`` if none or invalid)."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


class SessionUserBackend(ModelBackend):
    """Django's model backend; a user being resolved from a session comes from the row read
    with it, still refused when it cannot authenticate (inactive); a user's own and group
    permissions are read by one query instead of two."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # An active, ordinary user's permissions in one statement; Django answers the rest
        # (inactive and anonymous users have none, superusers all, per-object none).
        ordinary = user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser
        if obj is None and ordinary and not hasattr(user_obj, "_perm_cache"):
            rows = PERMISSIONS.rows(user_obj.pk)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return super().get_all_permissions(user_obj, obj)

    def get_user(self, user_id: Any) -> Any:
        row = getattr(_resolving.get(), "user_row", None)
        if row is None or row.pk != user_pk(user_id):
            return super().get_user(user_id)
        return row if self.user_can_authenticate(row) else None


def session_user(request: HttpRequest) -> Any:
    """``request.user``: ``auth.get_user`` with the session's own store available to the
    backend, once per request."""
    if not hasattr(request, "_cached_user"):
        token = _resolving.set(getattr(request, "session", None))
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _resolving.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class SessionUserMiddleware(AuthenticationMiddleware):
    """``AuthenticationMiddleware`` resolving the user with ``session_user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))
