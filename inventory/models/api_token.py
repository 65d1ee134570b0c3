"""ApiToken: a bearer token a module uses to call the REST API as a user.

Only the SHA-256 hash of a token is stored; the token itself is shown once, when created.
A token may expire; an expired token is refused like an unknown one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from inventory.joined_reads import JoinedRead

TOKEN_BYTES = 32
PREFIX_LENGTH = 8


def hash_token(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, editable=False, help_text="First characters, to tell tokens apart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Refused from this moment on; empty means never."
    )

    class Meta:
        db_table = "api_token"
        verbose_name = "API token"
        ordering = ["id"]

    def __str__(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"{self.prefix}…{label} for {self.user}"

    def new_key(self) -> str:
        """Give this (unsaved) row a fresh key; returns the plain token, which is not stored."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.key_hash = hash_token(token)
        self.prefix = token[:PREFIX_LENGTH]
        return token

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @classmethod
    def issue(
        cls, user: models.Model, name: str = "", expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the plain token (not stored)."""
        row = cls(user=user, name=name, expires_at=expires_at)
        token = row.new_key()
        row.save()
        return row, token

    @classmethod
    def valid(cls, token: str) -> ApiToken | None:
        """The unexpired token row of an active user for ``token``, or ``None``; one
        statement reads the token and its user (``TOKEN_READ``)."""
        row = TOKEN_READ.first([("key_hash", hash_token(token)), ("expires_at", timezone.now())])
        if row is None or not row.user.is_active:
            return None
        return row

    @classmethod
    def user_for(cls, token: str) -> models.Model | None:
        """The active user an unexpired token belongs to, or ``None``."""
        row = cls.valid(token)
        return None if row is None else row.user


#: An unexpired token by its hash, with its user (run by every API call with a token).
TOKEN_READ = JoinedRead(
    ApiToken, "user", "r.key_hash = %s AND (r.expires_at IS NULL OR r.expires_at > %s)"
)
