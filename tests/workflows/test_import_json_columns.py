"""JSON columns written by the import's batched path (orjson text for ``jsonb`` on PostgreSQL,
Django's own preparation for what orjson would write otherwise) store the values a single
save stores."""

from __future__ import annotations

import pytest

from inventory.models import AvailableModel
from inventory.workflows import transfer

VALUES = [
    {"big": 2**70, "small": -(2**63)},
    {"floats": [1e-7, 1e16, 0.1, -0.0, 123456789.125], "exp": 1.5e-300},
    {"text": "é \u2028 \u2029 \U0001f600 \"quoted\" \\ back", "nested": {"a": [1, {"b": None}]}},
    {"bools": [True, False], "empty": {}, "list": []},
]


@pytest.mark.parametrize("metadata", VALUES)
def test_imported_json_is_stored_as_a_single_save_stores_it(db, sdk, metadata):
    sdk.models.available_model_registry.create({"name": "single", "metadata": metadata})
    report = transfer.import_document(
        {"catalog": [{"name": f"batch{i}", "metadata": metadata} for i in range(3)]},
        apply=True,
    )
    assert report["counts"]["catalog"]["created"] == 3
    single = AvailableModel.objects.get(name="single").metadata
    assert single == metadata
    for row in AvailableModel.objects.filter(name__startswith="batch"):
        assert row.metadata == single
        assert repr(row.metadata) == repr(single)  # the same types, floats and integers alike


def test_an_empty_object_or_list_is_the_text_orjson_writes():
    import orjson

    from inventory.json_text import plain

    for value in ({}, []):
        assert plain(value) == orjson.dumps(value)
    assert plain({"a": []}) == orjson.dumps({"a": []})
