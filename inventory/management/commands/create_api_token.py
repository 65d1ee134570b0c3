"""Create an API token for a user and print it (the only time it is shown)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inventory.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create a REST API token for USERNAME and print it. Only its hash is stored, so copy it "
        "now; modules send it as 'Authorization: Bearer <token>'."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for (e.g. a module).")
        parser.add_argument(
            "--expires-in",
            type=int,
            metavar="DAYS",
            help="Refuse the token after this many days (default: never expires).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(options["username"])
        except user_model.DoesNotExist as error:
            raise CommandError(f"no user named {options['username']!r}") from error
        if not user.is_active:
            raise CommandError(f"user {options['username']!r} is inactive")
        days = options["expires_in"]
        if days is not None and days < 1:
            raise CommandError("--expires-in takes a number of days, 1 or more")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _, token = ApiToken.issue(user, options["name"], expires_at)
        self.stdout.write(token)
