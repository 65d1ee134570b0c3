"""Management commands given arguments that name nothing: a clear message and a non-zero
exit (``CommandError``), never a traceback or a silent success."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("command", ["reconcile_models", "prune_stale_models"])
def test_an_engine_that_does_not_exist_is_an_error(db, command):
    with pytest.raises(CommandError, match=r"^engine_id does not exist$"):
        call_command(command, "--engine", "987654")
    with pytest.raises(CommandError, match=r"^engine_id must be an integer, got 'x'$"):
        call_command(command, "--engine", "x")


@pytest.mark.parametrize("command", ["reconcile_models", "prune_stale_models"])
def test_an_existing_engine_is_accepted(engine, command):
    call_command(command, "--engine", str(engine["id"]))


def test_export_to_an_unwritable_place_is_an_error(db, tmp_path):
    target = tmp_path / "missing" / "inventory.json"
    with pytest.raises(CommandError, match=r"^cannot write .*: No such file or directory$"):
        call_command("export_inventory", "--output", str(target))
    with pytest.raises(CommandError, match=r"^cannot write .*: Is a directory$"):
        call_command("export_inventory", "--output", str(tmp_path))
