"""CSV text the reader cannot take apart is an error of the file, never a 500."""

from __future__ import annotations

import csv

import pytest

from inventory.errors import RegistryValidationError
from inventory.workflows.transfer.csv_catalog import parse_csv


def test_carriage_returns_are_line_ends_or_quoted_text():
    assert parse_csv('name,summary\r\nx,"one\rtwo"\r\n')["catalog"] == [
        {"name": "x", "summary": "one\rtwo"}
    ]
    with pytest.raises(RegistryValidationError, match="unknown CSV column"):
        parse_csv("\u00aa\u00b8\r\u00a9@\u00f80\u0099F")


def test_unreadable_csv_is_a_file_error():
    over_the_field_limit = "x" * (csv.field_size_limit() + 1)
    with pytest.raises(RegistryValidationError, match="the CSV file cannot be read: field larger"):
        parse_csv(f"name,summary\nx,{over_the_field_limit}\n")
