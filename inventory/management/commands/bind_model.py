"""Bind a catalog model to an engine (create or update its registered row)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk


class Command(BaseCommand):
    help = (
        "Bind a catalog model to an engine: creates or updates the registered row "
        "engine_<engine id>__<catalog name> with status active."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("engine_id", help="Engine id.")
        parser.add_argument("available_model_id", help="Catalog model id.")
        parser.add_argument(
            "--extra-config", default=None, help="JSON object merged over the catalog defaults."
        )
        parser.add_argument(
            "--confirm-embedding-model-change",
            action="store_true",
            help="Confirm changing the knowledge embedding model's dim or capabilities.",
        )
        parser.add_argument(
            "--allow-over-capacity",
            action="store_true",
            help="Allow going beyond the engine's declared VRAM/RAM capacity.",
        )
        parser.add_argument(
            "--name", default=None, help="Name of a new row (default engine_<id>__<name>)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = None
        if options["extra_config"]:
            try:
                extra = json.loads(options["extra_config"])
            except ValueError as error:
                raise CommandError(f"--extra-config is not valid JSON: {error}") from None
        try:
            result = module_sdk.workflows.bind(
                options["engine_id"],
                options["available_model_id"],
                extra,
                options["confirm_embedding_model_change"],
                options["allow_over_capacity"],
                options["name"],
            )
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        row = result["row"]
        verb = "Created" if result["created"] else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} registered model {row['name']!r} (id {row['id']}).")
        )
