"""Properties of masking and sealing over generated configs: no secret survives masking, and
sealing then revealing gives back the config (empty secrets removed)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from inventory import secrets

SECRET_NAMES = st.sampled_from(["api_key", "Token", "db-password", "hf_token", "Authorization"])
PLAIN_NAMES = st.sampled_from(["host", "port", "model", "max_tokens", "options", "headers"])
SECRET_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=20)
SCALARS = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(["a", "b", "c"]))


def configs(secret_values: st.SearchStrategy) -> st.SearchStrategy:
    leaf = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
    tree = st.recursive(
        leaf,
        lambda children: st.dictionaries(
            st.one_of(PLAIN_NAMES, SECRET_NAMES),
            st.one_of(children, secret_values),
            max_size=4,
        ),
        max_leaves=12,
    )
    return st.dictionaries(st.one_of(PLAIN_NAMES, SECRET_NAMES), tree, max_size=5)


def generated_texts(value: Any) -> list[str]:
    """The generated secret texts (12+ characters) anywhere in ``value``."""
    if isinstance(value, str):
        return [value] if len(value) >= 12 else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in generated_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in generated_texts(item)]
    return []


def secret_values_in(config: Any) -> list[str]:
    """The generated texts held under secret keys (plain scalars may appear anywhere)."""
    found: list[str] = []
    if isinstance(config, dict):
        for key, value in config.items():
            if secrets.is_builtin_secret(key):
                found.extend(generated_texts(value))
            else:
                found.extend(secret_values_in(value))
    elif isinstance(config, list):
        for item in config:
            found.extend(secret_values_in(item))
    return found


def plain_values_in(config: Any) -> set[str]:
    """The generated texts held under plain keys: the same text may be drawn for a plain key
    and a secret one, and the plain copy rightly stays readable."""
    found: set[str] = set()
    if isinstance(config, dict):
        for key, value in config.items():
            if secrets.is_builtin_secret(key):
                continue
            if isinstance(value, str):
                found.update(generated_texts(value))
            else:
                found.update(plain_values_in(value))
    elif isinstance(config, list):
        for item in config:
            found.update(plain_values_in(item))
    return found


def without_empty_secrets(config: Any) -> Any:
    if isinstance(config, dict):
        return {
            key: value if secrets.is_builtin_secret(key) else without_empty_secrets(value)
            for key, value in config.items()
            if not (secrets.is_builtin_secret(key) and value in (None, ""))
        }
    if isinstance(config, list):
        return [without_empty_secrets(item) for item in config]
    return config


@settings(max_examples=150, deadline=None)
@given(configs(SECRET_TEXT.map(lambda text: "S" + text)))
def test_masking_leaves_no_secret_value(config):
    masked = json.dumps(secrets.mask_config(config, extra_names=()))
    for value in set(secret_values_in(config)) - plain_values_in(config):
        assert value not in masked


@settings(max_examples=150, deadline=None)
@given(configs(st.one_of(SECRET_TEXT, st.none(), st.just(""))))
def test_seal_then_reveal_round_trips_and_hides_every_value(config):
    sealed = secrets.seal_config(config, None, extra_names=())
    stored = json.dumps(sealed)
    for value in set(secret_values_in(config)) - plain_values_in(config):
        assert value not in stored
    assert secrets.reveal_config(sealed) == without_empty_secrets(config)
    # Sending the masked form back keeps every stored secret.
    kept = secrets.seal_config(secrets.mask_config(sealed, extra_names=()), sealed, ())
    assert kept == sealed
