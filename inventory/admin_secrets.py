"""Admin for the key names marked secret in engine configs (see ``inventory.secrets``)."""

from __future__ import annotations

from django.contrib import admin

from . import secrets
from .admin_writes import ValidatedAdmin
from .models import SecretConfigKey


@admin.register(SecretConfigKey)
class SecretConfigKeyAdmin(ValidatedAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_at", "builtin_names")

    @admin.display(description="Secret without being marked")
    def builtin_names(self, obj: SecretConfigKey | None = None) -> str:
        suffixes = ", ".join(f"*_{suffix}" for suffix in secrets.BUILTIN_SUFFIXES)
        return f"{', '.join(sorted(secrets.BUILTIN_NAMES))}; and names ending in {suffixes}"
