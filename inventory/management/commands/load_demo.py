"""Fill an empty database with the demo inventory and, optionally, a demo admin login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from inventory import demo


class Command(BaseCommand):
    help = "Load a realistic demo inventory into an empty database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the inventory already has rows.",
        )
        parser.add_argument(
            "--admin",
            metavar="USERNAME:PASSWORD",
            help="Also create this superuser if no user of that name exists (for local demos).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["admin"]:
            self._ensure_admin(options["admin"])
        if not demo.is_empty():
            if options["if_empty"]:
                self.stdout.write("The inventory already has rows; demo data not loaded.")
                return
            raise CommandError(
                "The inventory is not empty; the demo data only loads into an empty one."
            )
        counts = demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {counts['engines']} engines, {counts['catalog']} catalog models and "
                f"{counts['registered']} registered models."
            )
        )

    def _ensure_admin(self, spec: str) -> None:
        username, _, password = spec.partition(":")
        if not username or not password:
            raise CommandError("--admin takes USERNAME:PASSWORD")
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            self.stdout.write(f"User {username!r} already exists; password unchanged.")
            return
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser {username!r}."))
