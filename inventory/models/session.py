"""UserSession: a login session with the user it belongs to as a column.

Django's database sessions keep the user id inside the encoded session data, so a request
reads the session row and then the user row: two queries before any work. With the user as
a foreign key, one query reads both (``inventory.session_user``). Deleting a user deletes
their sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models


class UserSessionManager(BaseSessionManager):
    """Every read of a session reads its user in the same query."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().select_related("user")


class UserSession(AbstractBaseSession):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The logged-in user, read with the session; empty before login.",
    )

    objects = UserSessionManager()

    class Meta(AbstractBaseSession.Meta):
        db_table = "user_session"

    @classmethod
    def get_session_store_class(cls) -> type:
        from inventory.session_user import SessionStore

        return SessionStore
