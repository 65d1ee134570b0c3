"""Re-encrypt every secret in engine configs with the first key of REGISTRY_SECRETS_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ... import secrets


class Command(BaseCommand):
    help = (
        "Re-encrypt every secret stored in engine configs with the first key of "
        "REGISTRY_SECRETS_KEYS (and encrypt clear values under secret names), in one "
        "transaction. Rotation: put the new key first, keep the old one after it, run this "
        "command, then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changed = secrets.reseal_engines(rotate_all=True)
        except secrets.SecretsError as error:
            raise CommandError(f"{error}; nothing was changed") from error
        noun = "engine" if changed == 1 else "engines"
        self.stdout.write(f"re-encrypted the secrets of {changed} {noun}")
