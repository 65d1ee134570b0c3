"""Delete change records older than a number of days (dry run first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.errors import RegistryValidationError
from inventory.history import retention


class Command(BaseCommand):
    help = (
        "Count the change records older than --older-than DAYS (a dry run); with --yes, "
        "delete them. The inventory rows themselves are not touched."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", metavar="DAYS", required=True)
        parser.add_argument("--yes", action="store_true", help="Delete the counted records.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = retention.prune(options["older_than"], confirm=options["yes"])
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{result['count']} change record(s) older than {result['before']}.")
        if not options["yes"]:
            if result["count"]:
                self.stdout.write("Dry run: nothing deleted. Run again with --yes to delete them.")
            return
        self.stdout.write(self.style.SUCCESS(f"Deleted {result['deleted']} change record(s)."))
