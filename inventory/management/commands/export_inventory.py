"""Write the whole inventory as JSON or YAML."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory.errors import RegistryValidationError
from inventory.workflows import transfer


class Command(BaseCommand):
    help = (
        "Export engines, catalog, registered models and knowledge settings as JSON or YAML "
        "(rows refer to each other by name; see inventory.workflows.transfer for the format)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", default=None, choices=transfer.EXPORT_FORMATS)
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        fmt = options["format"] or (transfer.format_for(output) if output else "json")
        try:
            chunks = transfer.export_chunks(fmt)
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.writelines(chunks)
                self.stderr.write(f"Wrote {output}.")
            else:
                for chunk in chunks:
                    self.stdout.write(chunk, ending="")
        except RegistryValidationError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror or error}") from None
