"""The values batched writes send (``inventory.batch_writes.prepared_rows``) are what Django's
own preparation of each field sends."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from inventory import batch_writes
from inventory.models import AvailableModel


@pytest.mark.django_db
@pytest.mark.parametrize("cleaned", [True, False])
def test_prepared_values_are_the_fields_own_preparation(cleaned):
    instance = AvailableModel(name="m", family="llama", metadata={"a": [1]})
    assert type(instance.status) is not str  # a choices member, the field's default
    plan = list(batch_writes.columns(AvailableModel).values())
    (row,) = batch_writes.prepared_rows(plan, [instance], connection, True, cleaned)
    by_name = dict(zip((column.field.name for column in plan), row, strict=True))
    assert by_name["status"] is instance.status  # kept, as Django's own text preparation keeps it
    for column, value in zip(plan, row, strict=True):
        field = column.field
        expected = field.get_db_prep_save(getattr(instance, field.attname), connection)
        if column.json and connection.vendor == "postgresql":
            assert json.loads(value) == expected.obj, field.name
        else:
            assert value == expected, field.name
