"""The published ``extra_config`` JSON Schemas and the server agree (a property test): for
generated documents, per capability, the schema accepts exactly what the model accepts.

The documents are JSON values: NaN and Infinity are not JSON (the API's parser refuses them
before any rule runs), and the model refuses them as unstorable; that is checked separately.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from inventory import extra_config
from inventory.capabilities import CAPABILITIES
from inventory.models import RegisteredModel

from .assertions import expect_invalid

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.sampled_from([0, 1, 2, 5, 0.0, 1.0, 5.0, 768.0, 0.5, 2.0, 2.5, -2.0, -1]),
    st.text(max_size=5),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)
DEFAULT_VALUES = st.one_of(
    JSON,
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
)
DEFAULTS = st.dictionaries(
    st.sampled_from([*extra_config.DEFAULT_KEYS, "temprature", "unknown"]),
    DEFAULT_VALUES,
    max_size=4,
)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "dim": JSON,
            "defaults": st.one_of(DEFAULTS, JSON),
            "other": JSON,
        },
    ),
    JSON,
)


def server_accepts(capability: str, document: object) -> bool:
    """The model's own validation (``clean`` normalizes, then applies the rules)."""
    model = RegisteredModel(name="m", capabilities=capability, extra_config=document)
    try:
        model.clean()
    except Exception as error:
        assert type(error).__name__ == "ValidationError", error
        return False
    return True


@pytest.mark.parametrize("capability", CAPABILITIES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_schema_and_server_agree(capability, document):
    schema = extra_config.schema_for([capability])
    schema_accepts = Draft202012Validator(schema).is_valid(document)
    assert schema_accepts == server_accepts(capability, document), (capability, document)


@pytest.mark.parametrize(
    "document",
    [{"dim": 768.0}, {"defaults": {"top_k": 5.0}}, {"defaults": {"temperature": 2}}],
)
def test_examples_from_the_schema_are_accepted(document):
    capability = "embedding" if "dim" in document else "chat"
    assert Draft202012Validator(extra_config.schema_for([capability])).is_valid(document)
    assert server_accepts(capability, document)


@pytest.mark.django_db
def test_nan_is_no_json_and_refused(engine):
    from inventory.sdk import module_sdk

    with pytest.raises(ValueError):
        import json

        json.dumps(math.nan, allow_nan=False)
    expect_invalid(
        lambda: module_sdk.models.model_registry.create(
            {
                "name": "m",
                "engine_id": engine["id"],
                "capabilities": "chat",
                "extra_config": {"defaults": {"temperature": math.nan}},
            }
        ),
        "extra_config",
        "extra_config must not contain NaN or Infinity",
        exact=False,
    )
