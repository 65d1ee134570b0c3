"""Import an inventory file (JSON/YAML export, or a list's CSV export); dry run by default."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
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
        "default; --apply writes everything in one transaction, or nothing if any row is "
        "refused; --apply --partial writes the valid rows and reports the refused ones."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "file", help="JSON, YAML or CSV (catalog rows, registered models or engines) file."
        )
        parser.add_argument("--format", choices=transfer.FORMATS, default=None)
        parser.add_argument("--apply", action="store_true", help="Write the changes.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="With --apply: write the valid rows and report the refused ones (a row naming "
            "a refused row is refused too), instead of writing nothing.",
        )
        parser.add_argument(
            "--move-unknown-capabilities",
            action="store_true",
            help="Move catalog capability tokens outside the vocabulary into "
            "extended_capabilities instead of refusing the row.",
        )
        parser.add_argument(
            "--report",
            metavar="FILE",
            help="Write the whole report to FILE, as CSV when it ends in .csv, else JSON.",
        )
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
            handle = open(path, "rb")  # noqa: SIM115  (closed below; rows are read as imported)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        with handle:
            report = self.run(handle, fmt, options)
        self.summary(report)
        if options["report"]:
            self.write_report(report, options["report"])
        if report["errors"] and not report["applied"]:
            raise CommandError(f"{len(report['errors'])} error(s); nothing written.")
        if report["applied"] and report["errors"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Import applied partially: {report['refused_rows']} refused row(s) "
                    "not written."
                )
            )
        elif report["applied"]:
            self.stdout.write(self.style.SUCCESS("Import applied."))
        else:
            self.stdout.write("Dry run: nothing written. Run again with --apply to write.")

    def run(self, handle: Any, fmt: str, options: dict[str, Any]) -> dict[str, Any]:
        """Parse (streamed) and import, with a progress bar on large files."""
        try:
            document = transfer.parse(handle, fmt)
        except OSError as error:
            raise CommandError(f"cannot read {options['file']}: {error}") from None
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        total = transfer.row_count(document)
        bar = tqdm(total=total, unit="row", disable=total < PROGRESS_FROM, file=self.stderr._out)
        try:
            return transfer.import_document(
                document,
                apply=options["apply"],
                confirm_embedding_model_change=options["confirm_embedding_model_change"],
                progress=bar.update,
                allow_over_capacity=options["allow_over_capacity"],
                mode="partial" if options["partial"] else "all",
                move_unknown_capabilities=options["move_unknown_capabilities"],
            )
        except transfer.InventoryImportError as error:
            return error.report
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()

    def write_report(self, report: dict[str, Any], path: str) -> None:
        fmt = "csv" if path.lower().endswith(".csv") else "json"
        try:
            Path(path).write_text(transfer.report_text(report, fmt), encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write the report to {path}: {error}") from None
        self.stdout.write(f"Report written to {path} ({fmt.upper()}).")

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
        moved = [r for r in report["rows"] if r.get("moved_capabilities")]
        for item in moved[:SHOW_ERRORS]:
            self.stdout.write(
                f"  moved to extended_capabilities: {item['section']} row {item['row']} "
                f"{item['name']!r}: {', '.join(item['moved_capabilities'])}"
            )
        if len(moved) > SHOW_ERRORS:
            self.stdout.write(f"  … and {len(moved) - SHOW_ERRORS} more row(s) with moved tokens.")
        for item in report["errors"][:SHOW_ERRORS]:
            self.stderr.write(transfer.error_text(item))
        if len(report["errors"]) > SHOW_ERRORS:
            self.stderr.write(
                f"… and {len(report['errors']) - SHOW_ERRORS} more error(s); "
                "--report FILE writes them all."
            )
        if report["errors"]:
            self.stderr.write(
                f"{report['refused_rows']} row(s) refused, {len(report['errors'])} error(s), by "
                "cause:"
            )
            for group in report["refusal_groups"]:
                self.stderr.write(
                    f"  {group['count']:>6}  {group['section']}.{group['field']}: {group['cause']}"
                )
