"""Django admin for API tokens: list, issue and revoke; a token is never shown again.

Registered from ``inventory/admin.py``, the module Django's admin discovers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from inventory.models import ApiToken


class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token shows it once, in a message; after that only its prefix is known.
    Tokens are not edited: revoke one (delete) and issue another."""

    list_display = ("prefix", "name", "user", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    ordering = ("-created_at", "-id")
    fields = ("user", "name", "expires_at", "prefix", "created_at")
    readonly_fields = ("prefix", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            return self.fields
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token = obj.new_key()
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            f"API token for {obj.user}: {token} — copy it now, it is not stored and will not "
            "be shown again. Send it as 'Authorization: Bearer <token>'.",
        )
