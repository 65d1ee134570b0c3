"""System checks for the secrets key configuration (``manage.py check [--deploy]``)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core import checks

from . import secrets


@checks.register(checks.Tags.security)
def secrets_keys_valid(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every key in ``REGISTRY_SECRETS_KEYS`` must be a Fernet key."""
    errors = []
    for position, key in enumerate(secrets.configured_keys(), start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"REGISTRY_SECRETS_KEYS: key {position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    hint="Generate one with: python -c 'from cryptography.fernet import "
                    "Fernet; print(Fernet.generate_key().decode())'",
                    id="inventory.E001",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def secrets_keys_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production, secrets in engine configs need their own key, not one derived from
    ``SECRET_KEY`` (rotating ``SECRET_KEY`` would otherwise make them unreadable)."""
    if secrets.configured_keys():
        return []
    return [
        checks.Warning(
            "REGISTRY_SECRETS_KEYS is not set: secrets in engine configs are encrypted with a "
            "key derived from SECRET_KEY.",
            hint="Set REGISTRY_SECRETS_KEYS to a Fernet key (see README, 'Secrets in engine "
            "config'); keep SECRET_KEY unchanged until the values are re-encrypted with "
            "manage.py rotate_secrets.",
            id="inventory.W001",
        )
    ]
