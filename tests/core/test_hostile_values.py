"""Values no database stores faithfully and JSON nested past any sane depth: refused by field
from every door, never a crash (a lone surrogate cannot be encoded as UTF-8; a JSON value
nested hundreds of levels deep overflows the recursion of parsers, encoders and exports)."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryValidationError
from inventory.models import RegisteredModel


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("key", ["name", "model_path", "version", "remote_url"])
def test_lone_surrogate_in_text_is_refused_by_field(sdk, engine, key):
    payload = {"name": "ok", "engine_id": engine["id"], key: "bad\ud800text"}
    with pytest.raises(RegistryValidationError) as caught:
        sdk.models.model_registry.create(payload)
    assert caught.value.errors == {key: [f"{key} must be valid Unicode text (no lone surrogates)"]}
    assert not RegisteredModel.objects.exists()


def test_lone_surrogate_in_json_is_refused_by_field(sdk, engine):
    payload = {"name": "ok", "engine_id": engine["id"], "extra_config": {"k\udc80": 1}}
    with pytest.raises(RegistryValidationError) as caught:
        sdk.models.model_registry.create(payload)
    assert caught.value.errors == {
        "extra_config": ["extra_config must be valid Unicode text (no lone surrogates)"]
    }


def test_lone_surrogate_in_a_text_filter_is_refused(sdk, engine):
    with pytest.raises(RegistryValidationError) as caught:
        sdk.models.model_registry.list(filters={"name": "x\ud800"})
    assert caught.value.errors == {"name": ["name must be valid Unicode text (no lone surrogates)"]}


def test_json_nested_too_deeply_is_refused(sdk, engine):
    payload = {"name": "deep", "engine_id": engine["id"], "extra_config": {"a": nested(900)}}
    with pytest.raises(RegistryValidationError) as caught:
        sdk.models.model_registry.create(payload)
    assert caught.value.errors == {
        "extra_config": ["extra_config is nested too deeply (at most 64 levels)"]
    }
    assert not RegisteredModel.objects.exists()


def test_json_nested_within_the_limit_is_kept(sdk, engine):
    config = {"a": nested(63)}
    row = sdk.models.model_registry.create(
        {"name": "deep", "engine_id": engine["id"], "extra_config": config}
    )
    assert row["extra_config"] == config


@pytest.mark.parametrize("token", ["a\x00b", "x\ud800", "ok-but-" + "long" * 20])
@pytest.mark.parametrize("field", ["capabilities", "extended_capabilities"])
def test_vocabulary_tokens_no_term_could_have_are_refused_without_a_lookup(
    sdk, engine, field, token
):
    """A NUL or a lone surrogate in a token never reaches the database (PostgreSQL refuses
    NUL in text): the token is reported unknown like any other."""
    payload = {"name": "tok", "label": "tok", field: [token]}
    with pytest.raises(RegistryValidationError) as caught:
        sdk.models.available_model_registry.create(payload)
    assert field in caught.value.errors
