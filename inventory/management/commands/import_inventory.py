"""Import an inventory file (JSON/YAML export, or catalog rows as CSV); dry run by default."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from inventory.errors import RegistryValidationError
from inventory.workflows import transfer
from inventory.workflows.text import table

PROGRESS_FROM = 1000
SHOW_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import an inventory file by name (created / updated / unchanged per row). Dry run by "
        "default; --apply writes everything in one transaction, or nothing if any row is refused."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="JSON, YAML or CSV (catalog rows) file.")
        parser.add_argument("--format", choices=transfer.FORMATS, default=None)
        parser.add_argument("--apply", action="store_true", help="Write the changes.")
        parser.add_argument(
            "--confirm-embedding-model-change",
            action="store_true",
            help="Confirm changing the knowledge embedding model.",
        )
        parser.add_argument(
            "--allow-over-capacity",
            action="store_true",
            help="Let active models go beyond their engines' VRAM/RAM capacity.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        fmt = options["format"] or transfer.format_for(path)
        try:
            with open(path, "rb") as handle:
                document = transfer.parse(handle.read(), fmt)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        total = transfer.row_count(document)
        bar = tqdm(total=total, unit="row", disable=total < PROGRESS_FROM, file=self.stderr._out)
        try:
            report = transfer.import_document(
                document,
                apply=options["apply"],
                confirm_embedding_model_change=options["confirm_embedding_model_change"],
                progress=bar.update,
                allow_over_capacity=options["allow_over_capacity"],
            )
        except transfer.InventoryImportError as error:
            report = error.report
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        self.summary(report)
        if report["errors"]:
            raise CommandError(f"{len(report['errors'])} error(s); nothing written.")
        if report["applied"]:
            self.stdout.write(self.style.SUCCESS("Import applied."))
        else:
            self.stdout.write("Dry run: nothing written. Run again with --apply to write.")

    def summary(self, report: dict[str, Any]) -> None:
        rows = [
            (section, *(counts[action] for action in transfer.ACTIONS))
            for section, counts in report["counts"].items()
        ]
        if rows:
            self.stdout.write(table(("section", *transfer.ACTIONS), rows))
        changed = [r for r in report["rows"] if r["action"] in ("created", "updated")]
        by_action = Counter(r["action"] for r in changed)
        if changed and len(changed) <= SHOW_ERRORS:
            for item in changed:
                self.stdout.write(
                    f"  {item['action']}: {item['section']} row {item['row']} {item['name']!r}"
                )
        elif changed:
            counted = ", ".join(f"{count} {action}" for action, count in by_action.items())
            self.stdout.write(f"  {counted} (row details omitted: {len(changed)} rows)")
        for item in report["errors"][:SHOW_ERRORS]:
            self.stderr.write(transfer.error_text(item))
        if len(report["errors"]) > SHOW_ERRORS:
            self.stderr.write(f"… and {len(report['errors']) - SHOW_ERRORS} more error(s).")
