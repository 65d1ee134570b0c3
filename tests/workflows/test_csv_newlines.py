"""A catalog CSV with a carriage return inside a cell is parsed, not a server error."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryValidationError
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db


def test_a_lone_carriage_return_in_the_header_is_a_validation_error():
    with pytest.raises(RegistryValidationError, match="unknown CSV column"):
        module_sdk.workflows.import_inventory("ab\rcd@x\n", "csv")


def test_carriage_return_line_ends_are_read():
    report = module_sdk.workflows.import_inventory("name,label\r\nqwen,Qwen\r\n", "csv")
    assert report["counts"]["catalog"]["created"] == 1
