"""List stale registered rows and, when confirmed, delete exactly those."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk
from inventory.values import parse_id
from inventory.workflows import stale
from inventory.workflows.text import table

ENGINES = module_sdk.models.engine_registry


class Command(BaseCommand):
    help = (
        "List registered models whose engine is uninstalled or in error, whose catalog link "
        "is gone, or whose status is error/disabled (dry run by default); --yes deletes exactly "
        "the listed rows. The knowledge embedding model is never deleted; storage on disk is "
        "not touched."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--engine", metavar="ID", help="Only models on this engine.")
        parser.add_argument("--yes", action="store_true", help="Delete the listed rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            engine = options["engine"]
            if engine is not None and not ENGINES.view(parse_id("engine_id", engine)):
                raise CommandError("engine_id does not exist")
            found = stale.find_stale(options["engine"])
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        rows = found["rows"]
        self.stdout.write(f"{len(rows)} stale registered model(s).")
        if rows:
            self.stdout.write(
                table(
                    ("id", "model", "engine", "status", "reasons"),
                    [
                        (r["id"], r["name"], r["engine"], r["status"], "; ".join(r["reasons"]))
                        for r in rows
                    ],
                )
            )
        for item in found["kept"]:
            self.stdout.write(
                f"Kept {item['name']!r} (id {item['id']}): it is the knowledge embedding model "
                f"({'; '.join(item['reasons'])})."
            )
        for note in found["notes"]:
            self.stdout.write(note)
        if not rows:
            return
        if not options["yes"]:
            self.stdout.write(
                "Dry run: nothing deleted. Run again with --yes to delete these rows."
            )
            return
        try:
            result = stale.prune_stale([r["id"] for r in rows], confirm=True)
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {len(result['deleted'])} registered model row(s).")
        )
