"""Imports run with a lighter garbage collector (``inventory.collection``), restored after."""

from __future__ import annotations

import gc

import pytest

from inventory import collection
from inventory.workflows import transfer


def test_the_collector_is_lighter_during_an_import_and_restored_after(db):
    default = gc.get_threshold()
    during = []

    def progress(count):
        during.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))

    transfer.import_document({"catalog": [{"name": "gc1"}]}, apply=True, progress=progress)
    with pytest.raises(transfer.InventoryImportError):
        transfer.import_document({"catalog": [{"name": "gc2", "status": "x"}]}, apply=True)
    assert during == [(default[0] * collection.YOUNG_FACTOR, True)]
    assert gc.get_threshold() == default and gc.get_freeze_count() == 0
