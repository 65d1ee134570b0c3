"""Compare registered rows with their catalog rows; apply the differences on request."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk
from inventory.values import parse_id
from inventory.workflows import reconcile
from inventory.workflows.text import table

ENGINES = module_sdk.models.engine_registry


class Command(BaseCommand):
    help = (
        "Show, for every registered model linked to a catalog model, the fields that differ "
        "from the catalog (dry run by default); --apply writes them, all or nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--engine", metavar="ID", help="Only models on this engine.")
        parser.add_argument("--apply", action="store_true", help="Write the differences.")
        parser.add_argument(
            "--confirm-embedding-model-change",
            action="store_true",
            help="Confirm changing the knowledge embedding model's dim or capabilities.",
        )
        parser.add_argument(
            "--allow-over-capacity",
            action="store_true",
            help="Allow going beyond the engines' VRAM/RAM capacity.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            engine = options["engine"]
            if engine is not None and not ENGINES.view(parse_id("engine_id", engine)):
                raise CommandError("engine_id does not exist")
            reports = [
                reconcile.report(model) for model in reconcile.linked_models(options["engine"])
            ]
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        drifted = [item for item in reports if not item["in_sync"]]
        rows = [
            (item["model_id"], item["name"], diff["field"], diff["registered"], diff["catalog"])
            for item in drifted
            for diff in item["differences"]
        ]
        self.stdout.write(
            f"{len(reports)} linked model(s) checked, {len(drifted)} differ from the catalog."
        )
        if rows:
            self.stdout.write(table(("id", "model", "field", "registered", "catalog"), rows))
        if not options["apply"]:
            if rows:
                self.stdout.write(
                    "Dry run: nothing written. Run again with --apply to write these."
                )
            return
        with transaction.atomic():
            for item in drifted:
                try:
                    reconcile.apply(
                        item["model_id"],
                        None,
                        options["confirm_embedding_model_change"],
                        options["allow_over_capacity"],
                    )
                except RegistryValidationError as error:
                    raise CommandError(
                        f"model {item['name']!r}: {error}; nothing written"
                    ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Applied {len(rows)} difference(s) to {len(drifted)} model(s).")
        )
