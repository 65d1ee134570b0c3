"""Secrets in engine config: which keys are secret, masking, encryption at rest, keep-or-replace
writes, key rotation."""

from __future__ import annotations

import io
import json
import re

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inventory import secrets
from inventory.errors import RegistryValidationError
from inventory.models import Engine, SecretConfigKey
from inventory.secrets import MASK

CLEAR = "sk-live-4f9a1c2e8b7d"
NESTED = "Bearer nested-7e3b9c"


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "API_KEY",
        "Api-Key",
        "apikey",
        "token",
        "password",
        "secret",
        "authorization",
        "Authorization",
        "access_key",
        "secret_key",
        "bearer",
        "openai_api_key",
        "hf_token",
        "db_password",
        "aws_secret_access_key",
        "client_secret",
        "x-api-key",
    ],
)
def test_builtin_secret_names(name):
    assert secrets.is_builtin_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "host",
        "max_tokens",
        "max_token",
        "num_token",
        "input_cost_per_token",
        "tokenizer",
        "token_limit",
        "password_policy",
        "keys",
        "model",
    ],
)
def test_ordinary_names_are_not_secret(name):
    assert not secrets.is_builtin_secret(name)


def test_mask_config_masks_secret_keys_at_any_depth_and_envelopes():
    config = {
        "host": "http://gpu:8000",
        "api_key": CLEAR,
        "headers": {"Authorization": NESTED, "Accept": "json"},
        "backends": [{"token": "t1", "url": "u"}],
        "stored": {"$secret": "anything"},
        "max_tokens": 512,
        "empty_token": "",
    }
    masked = secrets.mask_config(config, extra_names=())
    assert masked == {
        "host": "http://gpu:8000",
        "api_key": MASK,
        "headers": {"Authorization": MASK, "Accept": "json"},
        "backends": [{"token": MASK, "url": "u"}],
        "stored": MASK,
        "max_tokens": 512,
        "empty_token": "",
    }
    assert config["api_key"] == CLEAR  # a copy: the given config is unchanged
    assert secrets.mask_config({"custom_auth": "x"}, extra_names=["Custom-Auth"]) == {
        "custom_auth": MASK
    }


@pytest.mark.django_db
def test_mask_config_reads_the_names_marked_secret():
    SecretConfigKey.objects.create(name="Custom-Auth")
    assert secrets.mask_config({"custom_auth": "x", "other": "y"}) == {
        "custom_auth": MASK,
        "other": "y",
    }


def test_mask_json_text_masks_invalid_json_input():
    text = '{"api_key": "sk-1\\"x", "host": "h", "token" : "abc",'
    masked = secrets.mask_json_text(text, extra_names=())
    assert "sk-1" not in masked and "abc" not in masked
    assert '"host": "h"' in masked


def _raw_config(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM engine_registry WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


def _stored(pk: int) -> dict:
    return Engine.objects.values_list("config", flat=True).get(pk=pk)


@pytest.fixture
def secret_engine(sdk) -> dict:
    return sdk.models.engine_registry.create(
        {
            "name": "openai-prod",
            "provider": "openai",
            "config": {
                "base_url": "https://api.example.com",
                "api_key": CLEAR,
                "headers": {"Authorization": NESTED},
            },
        }
    )


@pytest.mark.django_db
def test_secret_is_encrypted_at_rest_and_masked_in_rows(sdk, secret_engine):
    assert secret_engine["config"] == {
        "base_url": "https://api.example.com",
        "api_key": MASK,
        "headers": {"Authorization": MASK},
    }
    raw = _raw_config(secret_engine["id"])
    assert CLEAR not in raw and "nested-7e3b9c" not in raw
    assert "$secret" in raw and "https://api.example.com" in raw
    assert sdk.models.engine_registry.view(secret_engine["id"])["config"]["api_key"] == MASK
    listed = sdk.models.engine_registry.list()["rows"][0]
    assert listed["config"]["api_key"] == MASK


@pytest.mark.django_db
def test_dumpdata_holds_no_cleartext(secret_engine):
    out = io.StringIO()
    call_command("dumpdata", "inventory.engine", stdout=out)
    assert CLEAR not in out.getvalue() and "nested-7e3b9c" not in out.getvalue()
    assert "$secret" in out.getvalue()


@pytest.mark.django_db
def test_reveal_config_gives_the_clear_values(secret_engine):
    assert secrets.reveal_config(_stored(secret_engine["id"])) == {
        "base_url": "https://api.example.com",
        "api_key": CLEAR,
        "headers": {"Authorization": NESTED},
    }


@pytest.mark.django_db
def test_mask_keeps_replace_replaces_null_and_empty_remove(sdk, secret_engine):
    engines = sdk.models.engine_registry
    pk = secret_engine["id"]
    before = _stored(pk)["api_key"]
    engines.update(pk, {"config": {"api_key": MASK, "headers": {"Authorization": MASK}}})
    assert _stored(pk)["api_key"] == before
    assert secrets.reveal_config(_stored(pk)) == {
        "api_key": CLEAR,
        "headers": {"Authorization": NESTED},
    }

    engines.update(pk, {"config": {"api_key": "sk-new", "headers": {"Authorization": MASK}}})
    assert secrets.reveal_config(_stored(pk))["api_key"] == "sk-new"

    engines.update(pk, {"config": {"api_key": None, "headers": {"Authorization": ""}}})
    assert _stored(pk) == {"headers": {}}

    engines.update(pk, {"config": {"api_key": "again"}})
    engines.update(pk, {"config": {"host": "h"}})  # left out of a replaced config: removed
    assert _stored(pk) == {"host": "h"}


@pytest.mark.django_db
def test_mask_without_a_stored_secret_is_refused_without_half_a_write(sdk, secret_engine):
    with pytest.raises(RegistryValidationError) as error:
        sdk.models.engine_registry.update(
            secret_engine["id"], {"name": "renamed", "config": {"token": MASK}}
        )
    assert error.value.errors["config"] == [
        f"config.token is the mask {MASK!r} but no secret is stored there to keep; "
        "send the secret itself"
    ]
    assert Engine.objects.get(pk=secret_engine["id"]).name == "openai-prod"
    with pytest.raises(RegistryValidationError):
        sdk.models.engine_registry.create(
            {"name": "n", "provider": "tei", "config": {"token": MASK}}
        )


@pytest.mark.django_db
def test_forged_or_foreign_envelopes_are_refused_without_echo(sdk):
    foreign = Fernet(Fernet.generate_key()).encrypt(b'"x"').decode()
    with pytest.raises(RegistryValidationError) as error:
        sdk.models.engine_registry.create(
            {"name": "n", "provider": "ollama", "config": {"token": {"$secret": foreign}}}
        )
    assert foreign not in str(error.value.errors)
    with pytest.raises(RegistryValidationError) as error:
        sdk.models.engine_registry.create(
            {"name": "n", "provider": "ollama", "config": {"x": {"$secret": "a", "b": 1}}}
        )
    assert "reserved" in str(error.value)


@pytest.mark.django_db
def test_validation_messages_never_echo_secrets(sdk, secret_engine):
    bad_values = [f"{CLEAR}\x00", f"{CLEAR}\ud800"]
    for value in bad_values:
        with pytest.raises(RegistryValidationError) as error:
            sdk.models.engine_registry.update(secret_engine["id"], {"config": {"api_key": value}})
        assert CLEAR not in json.dumps(error.value.errors)
        assert CLEAR not in str(error.value)


@pytest.mark.django_db
def test_marking_a_key_secret_encrypts_values_already_stored(sdk):
    created = sdk.models.engine_registry.create(
        {"name": "custom", "provider": "vllm", "config": {"custom_auth": "c-123", "x": 1}}
    )
    assert created["config"]["custom_auth"] == "c-123"
    SecretConfigKey.objects.create(name="Custom-Auth")
    assert "c-123" not in _raw_config(created["id"])
    assert sdk.models.engine_registry.view(created["id"])["config"] == {
        "custom_auth": MASK,
        "x": 1,
    }
    sdk.models.engine_registry.update(created["id"], {"config": {"custom_auth": "c-456"}})
    assert "c-456" not in _raw_config(created["id"])
    assert secrets.reveal_config(_stored(created["id"])) == {"custom_auth": "c-456"}


@pytest.mark.django_db
def test_marked_names_are_validated(db):
    from django.core.exceptions import ValidationError

    for name, message in [
        ("api_key", "built-in"),
        ("$secret", "reserved"),
        ("", "required"),
    ]:
        with pytest.raises(ValidationError) as error:
            SecretConfigKey(name=name).full_clean()
        assert message in str(error.value)


@pytest.mark.django_db
def test_rotation_keeps_secrets_readable_after_the_old_key_is_removed(sdk, secret_engine, settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.REGISTRY_SECRETS_KEYS = [old_key]
    sdk.models.engine_registry.update(
        secret_engine["id"], {"config": {"api_key": CLEAR, "headers": {"Authorization": NESTED}}}
    )
    stored_with_old = _stored(secret_engine["id"])

    settings.REGISTRY_SECRETS_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "1 engine" in out.getvalue()
    assert _stored(secret_engine["id"]) != stored_with_old

    settings.REGISTRY_SECRETS_KEYS = [new_key]
    assert secrets.reveal_config(_stored(secret_engine["id"])) == {
        "api_key": CLEAR,
        "headers": {"Authorization": NESTED},
    }
    # Keep-or-replace still works with the new key only.
    sdk.models.engine_registry.update(
        secret_engine["id"], {"config": {"api_key": MASK, "headers": {"Authorization": MASK}}}
    )
    assert secrets.reveal_config(_stored(secret_engine["id"]))["api_key"] == CLEAR


@pytest.mark.django_db
def test_rotation_without_the_old_key_fails_and_changes_nothing(sdk, settings):
    settings.REGISTRY_SECRETS_KEYS = [Fernet.generate_key().decode()]
    first = sdk.models.engine_registry.create(
        {"name": "a", "provider": "ollama", "config": {"token": "t-a"}}
    )
    settings.REGISTRY_SECRETS_KEYS = [Fernet.generate_key().decode()]
    second = sdk.models.engine_registry.create(
        {"name": "b", "provider": "ollama", "config": {"token": "t-b"}}
    )
    before = {pk: _stored(pk) for pk in (first["id"], second["id"])}
    with pytest.raises(CommandError) as error:
        call_command("rotate_secrets")
    assert "engine 'a'" in str(error.value)
    assert {pk: _stored(pk) for pk in before} == before


def test_system_checks_report_bad_and_missing_keys(settings):
    from inventory import checks

    settings.REGISTRY_SECRETS_KEYS = ["not-a-key"]
    assert [m.id for m in checks.secrets_keys_valid()] == ["inventory.E001"]
    settings.REGISTRY_SECRETS_KEYS = []
    assert [m.id for m in checks.secrets_keys_set()] == ["inventory.W001"]
    settings.REGISTRY_SECRETS_KEYS = [Fernet.generate_key().decode()]
    assert checks.secrets_keys_valid() == [] and checks.secrets_keys_set() == []


@pytest.mark.django_db
def test_moving_from_the_derived_key_to_a_configured_one(sdk, settings):
    settings.REGISTRY_SECRETS_KEYS = []
    created = sdk.models.engine_registry.create(
        {"name": "early", "provider": "ollama", "config": {"token": "t-early"}}
    )
    settings.REGISTRY_SECRETS_KEYS = [Fernet.generate_key().decode()]
    call_command("rotate_secrets", stdout=io.StringIO())
    settings.SECRET_KEY = "another-secret-key-after-the-move"
    assert secrets.reveal_config(_stored(created["id"])) == {"token": "t-early"}


def test_readme_lists_the_builtin_secret_names():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = text[text.index("**Which keys are secret.**") : text.index("**Encrypted at rest.**")]
    named = set(re.findall(r"`([a-z_]+)`", section))
    assert set(secrets.BUILTIN_NAMES) <= named
    assert {f"_{suffix}" for suffix in secrets.BUILTIN_SUFFIXES} <= named
    assert {f"{word}_" for word in secrets.MEASURE_WORDS} <= named
