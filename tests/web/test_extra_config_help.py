"""The ``extra_config`` help of the forms says exactly what the validator accepts: a key is
listed for a capability if and only if a model with that capability may set it."""

from __future__ import annotations

from typing import Any

import pytest

from inventory import capabilities as caps
from inventory import extra_config
from inventory.extra_config_help import key_help, selected_capabilities

pytestmark = pytest.mark.django_db

SAMPLES = {"integer": 1, "number": 0.5, "text": "x", "list": ["x"], "": {}}


def config_with(path: str, value: Any) -> dict:
    config: dict = {}
    part = config
    *parents, last = path.split(".")
    for key in parents:
        part = part.setdefault(key, {})
    part[last] = value
    return config


def test_help_rows_agree_with_the_validator():
    rows = key_help()
    assert {row.key for row in rows} >= {"dim", "defaults.temperature", "defaults.context_length"}
    for capability in caps.known():
        for row in rows:
            errors = extra_config.validate(config_with(row.key, SAMPLES[row.input]), [capability])
            assert row.shown_for([capability]) == (not errors), (capability, row.key, errors)


def test_help_states_types_and_ranges_from_the_rules():
    by_key = {row.key: row for row in key_help()}
    assert (by_key["dim"].kind, by_key["dim"].values) == ("whole number", "1 or more")
    assert by_key["defaults.temperature"].values == "from 0 to 2"
    assert by_key["defaults.top_p"].values == "more than 0, at most 1"
    assert by_key["dim"].capabilities == ("embedding",)
    assert by_key["defaults.context_length"].any_model


def test_typed_capabilities_follow_aliases():
    assert selected_capabilities("Embed, completion, telepathy") == ["embedding", "chat"]
    assert selected_capabilities(["reasoning"]) == ["reasoning"]
