"""Management commands write as ``manage.py <command>``.

Every command's ``execute`` runs inside an operation named after the command, so whatever
it writes, through any path, is attributed to it. Interactive and serving commands are left
alone: ``shell`` writes keep the ``shell`` actor and each request served makes its own.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from . import context

NOT_WRAPPED = {"shell", "dbshell", "runserver", "testserver"}


def command_name(command: BaseCommand) -> str:
    return type(command).__module__.rpartition(".")[2]


def install() -> None:
    """Wrap ``BaseCommand.execute`` once (called from the app's ``ready()``)."""
    original = BaseCommand.execute
    if getattr(original, "_records_history", False):
        return

    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        name = command_name(self)
        if name in NOT_WRAPPED:
            return original(self, *args, **options)
        with context.operation(f"manage.py {name}", "command"):
            return original(self, *args, **options)

    execute._records_history = True  # type: ignore[attr-defined]
    BaseCommand.execute = execute  # type: ignore[method-assign]
