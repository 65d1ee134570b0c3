"""Secret values inside engine ``config``: which keys are secret, masking, encryption at rest.

A key is secret when its name, compared case-insensitively with ``-`` read as ``_``:

- is one of ``BUILTIN_NAMES`` (``api_key``, ``token``, ``password``, ``authorization``…),
- ends with ``_`` plus one of ``BUILTIN_SUFFIXES`` (``openai_api_key``, ``hf_token``,
  ``db_password``, ``aws_secret_access_key``…) and is not a count, limit or price
  (``max_token``, ``input_cost_per_token``), or
- was marked secret by an administrator (``SecretConfigKey`` rows, edited in the admin).

Keys are matched at any depth (``{"headers": {"Authorization": …}}``); the whole value under
a secret key is the secret, whatever its JSON type.

Stored configs hold each secret as an envelope ``{"$secret": "<Fernet token>"}`` so the column
stays JSON. Tokens are made with the first key of ``REGISTRY_SECRETS_KEYS`` and read with any
of them (``MultiFernet``); without that setting a key derived from ``SECRET_KEY`` is used,
which ``check --deploy`` reports. Readers see ``MASK`` in place of every secret; writers send
the mask to keep a stored secret, a new value to replace it, and ``null``/``""`` (or leave
the key out of the config) to remove it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

#: What readers see in place of a secret value.
MASK = "********"
#: The one key of an encrypted value's envelope.
ENVELOPE_KEY = "$secret"
#: Permission to read engine configs with their secrets in clear.
REVEAL_PERMISSION = "inventory.view_engine_secrets"

BUILTIN_NAMES = frozenset(
    {
        "access_key",
        "access_token",
        "api_key",
        "apikey",
        "auth_token",
        "authorization",
        "bearer",
        "client_secret",
        "credentials",
        "passphrase",
        "password",
        "passwd",
        "private_key",
        "proxy_authorization",
        "refresh_token",
        "secret",
        "secret_key",
        "token",
        "x_api_key",
    }
)
BUILTIN_SUFFIXES = (
    "access_key",
    "api_key",
    "apikey",
    "password",
    "private_key",
    "secret",
    "secret_key",
    "token",
)

_SUFFIX_PATTERN = re.compile(r"_(?:" + "|".join(map(re.escape, BUILTIN_SUFFIXES)) + r")$")
#: Counts, limits and prices named after tokens are not credentials (``max_token``,
#: ``input_cost_per_token``): the suffix rule skips names with one of these words.
MEASURE_WORDS = ("max", "min", "num", "per", "cost", "count", "limit")
_MEASURE_WORDS = re.compile(r"(?:^|_)(?:" + "|".join(MEASURE_WORDS) + r")_")


class SecretsError(ValueError):
    """A stored secret cannot be read (its key is no longer in ``REGISTRY_SECRETS_KEYS``)."""


def normalize_name(name: str) -> str:
    """A key name as secret names are compared: trimmed, lower-case, ``-`` read as ``_``."""
    return name.strip().lower().replace("-", "_")


def is_builtin_secret(name: str) -> bool:
    key = normalize_name(name)
    if key in BUILTIN_NAMES:
        return True
    return bool(_SUFFIX_PATTERN.search(key)) and not _MEASURE_WORDS.search(key)


def marked_names() -> frozenset[str]:
    """The key names administrators marked secret (normalized); one query."""
    from .models import SecretConfigKey

    return frozenset(SecretConfigKey.objects.values_list("name", flat=True))


def secret_key_test(extra_names: Iterable[str] | None = None) -> Callable[[str], bool]:
    """``is_secret(key)`` for the built-in names plus ``extra_names`` (by default the names
    marked in the admin, read once here)."""
    extra = frozenset(
        normalize_name(name) for name in (marked_names() if extra_names is None else extra_names)
    )
    return lambda key: is_builtin_secret(key) or normalize_name(key) in extra


def is_envelope(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) == 1 and ENVELOPE_KEY in value


# --- masking ---------------------------------------------------------------------------------


def mask_config(config: Any, extra_names: Iterable[str] | None = None) -> Any:
    """A copy of ``config`` with every secret replaced by ``MASK``.

    This is the one masking function: rows, pages, exports, change records and logs use it.
    It masks encrypted envelopes wherever they are and clear values under secret keys (the
    built-in names plus ``extra_names``, by default the names marked in the admin, one query).
    Stored engine configs are sealed at every marked key, so rows read from the database pass
    ``extra_names=()`` to skip that query.
    """
    return _mask(config, secret_key_test(extra_names))


def _mask(value: Any, is_secret: Callable[[str], bool]) -> Any:
    if is_envelope(value):
        return MASK
    if isinstance(value, Mapping):
        return {
            key: MASK
            if isinstance(key, str) and is_secret(key) and value[key] not in (None, "")
            else _mask(value[key], is_secret)
            for key in value
        }
    if isinstance(value, list | tuple):
        return [_mask(item, is_secret) for item in value]
    return value


def mask_row(value: Any, row: Mapping[str, Any] | None = None) -> Any:
    """``mask_config`` for a stored engine config (a declaration serializer)."""
    return mask_config(value, extra_names=())


_QUOTED_SECRET = re.compile(r'("(?P<key>(?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*"')


def mask_json_text(text: str, extra_names: Iterable[str] | None = None) -> str:
    """JSON text (possibly invalid) with the string values of secret keys masked: for showing
    back a form input that could not be parsed."""
    is_secret = secret_key_test(extra_names)

    def replace(match: re.Match[str]) -> str:
        if is_secret(match.group("key")):
            return f'{match.group(1)}"{MASK}"'
        return match.group(0)

    return _QUOTED_SECRET.sub(replace, text)


# --- encryption -------------------------------------------------------------------------------


def configured_keys() -> list[str]:
    value = getattr(settings, "REGISTRY_SECRETS_KEYS", None) or []
    if isinstance(value, str):
        value = value.split(",")
    return [key.strip() for key in value if key and key.strip()]


def derived_key() -> bytes:
    """A Fernet key derived from ``SECRET_KEY`` (used when ``REGISTRY_SECRETS_KEYS`` is empty)."""
    import base64

    digest = salted_hmac("inventory.secrets", "fernet-key", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def cipher() -> MultiFernet:
    """The configured keys: the first encrypts, every one decrypts. The key derived from
    ``SECRET_KEY`` comes last (first when none is configured), so that values written before
    ``REGISTRY_SECRETS_KEYS`` was set stay readable until ``rotate_secrets`` re-encrypts
    them."""
    return _cipher((*configured_keys(), derived_key().decode()))


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(value: Any) -> dict[str, str]:
    """An envelope holding ``value`` (any JSON value) encrypted with the first key."""
    data = json.dumps(value, separators=(",", ":")).encode()
    return {ENVELOPE_KEY: cipher().encrypt(data).decode()}


def _token_operation(envelope: Mapping[str, Any], operation: str) -> bytes:
    """``MultiFernet.decrypt`` or ``.rotate`` on an envelope's token, failures as one error."""
    try:
        return getattr(cipher(), operation)(str(envelope[ENVELOPE_KEY]).encode())
    except (InvalidToken, TypeError, ValueError) as error:
        raise SecretsError(
            "a stored secret cannot be decrypted with the keys in REGISTRY_SECRETS_KEYS"
        ) from error


def decrypt(envelope: Mapping[str, Any]) -> Any:
    return json.loads(_token_operation(envelope, "decrypt"))


def rotate(envelope: Mapping[str, Any]) -> dict[str, str]:
    """The envelope re-encrypted with the first key."""
    return {ENVELOPE_KEY: _token_operation(envelope, "rotate").decode()}


def reveal_config(config: Any) -> Any:
    """A stored config with every envelope decrypted (for readers with the permission)."""
    if is_envelope(config):
        return decrypt(config)
    if isinstance(config, Mapping):
        return {key: reveal_config(value) for key, value in config.items()}
    if isinstance(config, list | tuple):
        return [reveal_config(item) for item in config]
    return config


def can_reveal(user: Any) -> bool:
    return bool(user is not None and user.has_perm(REVEAL_PERMISSION))


# --- writing: keep, replace or remove ----------------------------------------------------------


class _Sealer:
    """Turns a config given by a writer into its stored form against the stored one."""

    def __init__(self, is_secret: Callable[[str], bool], rotate_all: bool):
        self.is_secret = is_secret
        self.rotate_all = rotate_all
        self.errors: list[str] = []

    def seal(self, value: Any, previous: Any, path: str) -> Any:
        if is_envelope(value):
            return self.envelope(value, path)
        if isinstance(value, Mapping):
            if ENVELOPE_KEY in value:
                self.errors.append(
                    f"{path}: the key {ENVELOPE_KEY!r} is reserved for encrypted values"
                )
                return value
            old = previous if isinstance(previous, Mapping) else {}
            result: dict[str, Any] = {}
            for key, item in value.items():
                child = f"{path}.{key}"
                if isinstance(key, str) and self.is_secret(key) and not is_envelope(item):
                    sealed = self.secret(item, old.get(key), child)
                    if sealed is not None:
                        result[key] = sealed
                else:
                    result[key] = self.seal(item, old.get(key), child)
            return result
        if isinstance(value, list | tuple):
            old_items = previous if isinstance(previous, list) else []
            return [
                self.seal(item, old_items[i] if i < len(old_items) else None, f"{path}[{i}]")
                for i, item in enumerate(value)
            ]
        return value

    def secret(self, value: Any, previous: Any, path: str) -> Any:
        if value is None or value == "":
            return None
        if value == MASK:
            if is_envelope(previous):
                return self.envelope(previous, path)
            if previous not in (None, "", MASK):
                return encrypt(previous)
            self.errors.append(
                f"{path} is the mask {MASK!r} but no secret is stored there to keep; "
                "send the secret itself"
            )
            return None
        if is_envelope(previous) and self.holds(previous, value):
            return self.envelope(previous, path)  # the same secret again: stored as it was
        return encrypt(value)

    @staticmethod
    def holds(envelope: Mapping[str, Any], value: Any) -> bool:
        try:
            return decrypt(envelope) == value
        except SecretsError:
            return False

    def envelope(self, value: Mapping[str, Any], path: str) -> Any:
        try:
            if self.rotate_all:
                return rotate(value)
            decrypt(value)
            return dict(value)
        except SecretsError:
            self.errors.append(
                f"{path} holds an encrypted value this registry cannot read; "
                "send the secret in clear"
            )
            return dict(value)


def seal_with_errors(
    config: Any,
    previous: Any = None,
    extra_names: Iterable[str] | None = None,
    rotate_all: bool = False,
) -> tuple[Any, list[str]]:
    """``(stored form, errors)`` of ``config`` written over ``previous``: secrets encrypted,
    the mask replaced by the stored secret at the same place, empty secrets removed, valid
    envelopes kept (re-encrypted with the first key when ``rotate_all``). The errors name
    the place and never quote a value; the stored form is only meaningful without errors."""
    if not isinstance(config, Mapping):
        return config, []
    sealer = _Sealer(secret_key_test(extra_names), rotate_all)
    return sealer.seal(config, previous, "config"), sealer.errors


def seal_config(
    config: Any,
    previous: Any = None,
    extra_names: Iterable[str] | None = None,
    rotate_all: bool = False,
) -> Any:
    """``seal_with_errors`` raising ``SecretsError`` with the first error."""
    sealed, errors = seal_with_errors(config, previous, extra_names, rotate_all)
    if errors:
        raise SecretsError(errors[0])
    return sealed


def reseal_engines(rotate_all: bool = False) -> int:
    """Seal every stored engine config again, in one transaction: clear values under secret
    names (newly marked ones) are encrypted and, with ``rotate_all``, every secret is
    re-encrypted with the first key. Returns the number of engines rewritten. Raises
    ``SecretsError`` naming the engine when a stored secret cannot be decrypted."""
    from django.db import transaction

    from .models import Engine

    names = marked_names()
    changed = 0
    with transaction.atomic():
        stored = Engine.objects.select_for_update().order_by("pk")
        for pk, name, config in stored.values_list("pk", "name", "config"):
            try:
                sealed = seal_config(config, config, extra_names=names, rotate_all=rotate_all)
            except SecretsError as error:
                raise SecretsError(f"engine {name!r} (id {pk}): {error}") from error
            if sealed != config:
                Engine.objects.filter(pk=pk).update(config=sealed)
                changed += 1
    return changed


def clear_config_of(row_id: int) -> dict[str, Any] | None:
    """``{"id", "name", "config"}`` of one engine with its config in clear, or ``None``.

    For trusted callers only (the SDK, and the API behind ``REVEAL_PERMISSION``); every
    reveal is logged with the engine, never with the values.
    """
    import logging

    from .models import Engine

    found = Engine.objects.filter(pk=row_id).values("id", "name", "config").first()
    if found is None:
        return None
    logging.getLogger("inventory.secrets").info(
        "engine config revealed in clear: engine %s (%s)", found["id"], found["name"]
    )
    return {**found, "config": reveal_config(found["config"])}
