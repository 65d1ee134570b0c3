"""Assertions shared by the core tests: a validation failure names the field and the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inventory.errors import RegistryValidationError

#: The keys of a registered-model row, in order: the seed's fields, then the derived and
#: read-only ones.
ROW_KEYS = [
    "id",
    "name",
    "engine_id",
    "available_model_id",
    "model_path",
    "vram_required_mb",
    "ram_required_mb",
    "is_downloaded",
    "remote_url",
    "version",
    "capabilities",
    "extra_config",
    "status",
    "runtime_methods",
    "engine_status",
    "over_capacity",
    "warnings",
    "created_at",
    "updated_at",
]


def expect_invalid(
    call: Callable[[], Any],
    field: str,
    message: str,
    *,
    first: bool = False,
    exact: bool = True,
    error_type: type[RegistryValidationError] = RegistryValidationError,
) -> RegistryValidationError:
    """Run ``call`` and check it raises ``error_type`` carrying ``message`` under ``field``.

    ``exact`` compares whole messages, otherwise ``message`` must be part of one;
    ``first`` also checks that ``str(error)`` is that message (the wording modules match on).
    """
    with pytest.raises(error_type) as info:
        call()
    error = info.value
    assert isinstance(error, ValueError)
    assert field in error.errors, f"{field!r} not in {error.errors!r}"
    messages = error.errors[field]
    if exact:
        assert message in messages, f"{message!r} not in {messages!r}"
    else:
        assert any(message in item for item in messages), f"{message!r} not in {messages!r}"
    if first:
        assert str(error) == message
    assert error.as_dict() == {"detail": str(error), "errors": error.errors}
    return error


# Every method, in DESIGN.md's fixed order.
ALL_METHODS = [
    "generate_completion",
    "generate_stream",
    "embed_texts",
    "rerank",
    "classify",
    "extract_tokens",
    "extract_triples",
    "synthesize",
    "synthesize_stream",
    "transcribe",
    "detect",
]
