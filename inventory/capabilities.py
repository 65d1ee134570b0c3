"""The capability vocabulary: canonical names, aliases, normalization and runtime methods.

Capabilities travel as a CSV string (``"chat,embedding"``) in rows and payloads; input may
be a CSV string or a list. Normalization lower-cases, trims, maps ``-`` and spaces to ``_``,
applies aliases, drops empties and de-duplicates keeping the first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .vocabularies import CAPABILITY, FEATURE, Resolver, UnknownTermError, spell
from .vocabularies import split_tokens as _split

CAPABILITIES: tuple[str, ...] = CAPABILITY.built_in
"""The built-in capabilities, in their fixed order (administrators may add more as data)."""

ALIASES: dict[str, str] = dict(CAPABILITY.aliases)

RUNTIME_METHODS: dict[str, tuple[str, ...]] = {
    "chat": ("generate_completion", "generate_stream"),
    "embedding": ("embed_texts",),
    "reranking": ("rerank",),
    "classification": ("classify",),
    "token_extraction": ("extract_tokens",),
    "triples_extractor": ("extract_triples",),
    "tts": ("synthesize", "synthesize_stream"),
    "stt": ("transcribe",),
    "detection": ("detect",),
}

LLM_CAPABILITIES = frozenset({"chat", "reasoning"})

#: A capability outside the live vocabulary; the message lists the vocabulary.
UnknownCapabilityError = UnknownTermError


def known() -> list[str]:
    """The live capability vocabulary: the built-ins, then the ones administrators added."""
    return CAPABILITY.known()


def canonical_token(token: str) -> str:
    """One token in canonical spelling (built-in aliases applied); may be empty or unknown."""
    cleaned = spell(token)
    return ALIASES.get(cleaned, cleaned)


def split_tokens(value: str | Iterable[str] | None, name: str = "capabilities") -> list[str]:
    """Split a CSV string or a list into raw tokens (list items may hold commas too); anything
    else (an object, a number, a list holding non-strings) is a ``TypeError`` naming ``name``."""
    return _split(value, name)


def normalize_list(
    value: str | Iterable[str] | None, resolver: Resolver | None = None
) -> list[str]:
    """Canonical capability names, in input order, without duplicates.

    Raises ``UnknownCapabilityError`` naming every token outside the live vocabulary; a
    token that is an extended capability (a feature) is named as such.
    """
    try:
        return CAPABILITY.normalize_list(value, resolver)
    except UnknownTermError as error:
        features = FEATURE.resolve([spell(token) for token in error.unknown], resolver)
        if not features:
            raise
        names = list(dict.fromkeys(features.values()))
        what = "is an extended capability" if len(names) == 1 else "are extended capabilities"
        hint = f"; {', '.join(repr(name) for name in names)} {what} (extended_capabilities)"
        raise CAPABILITY.refuse(error.unknown, resolver, hint) from None


def route(capabilities: Any, extended: Any) -> tuple[Any, Any]:
    """Capabilities and extended capabilities with each token moved to the list of its own
    vocabulary: a feature named among capabilities goes to extended capabilities, a task
    named among extended capabilities to capabilities. A list holding a token of neither
    vocabulary is returned as given, for its field to refuse."""
    try:
        tasks, features = CAPABILITY.sort(capabilities, FEATURE)
        more_features, more_tasks = FEATURE.sort(extended, CAPABILITY)
    except (UnknownTermError, TypeError):
        return capabilities, extended
    if not features and not more_tasks:
        return capabilities, extended
    merged_tasks = list(dict.fromkeys([*tasks, *more_tasks]))
    merged_features = list(dict.fromkeys([*more_features, *features]))
    return ",".join(merged_tasks), ",".join(merged_features)


def normalize(value: str | Iterable[str] | None, resolver: Resolver | None = None) -> str:
    """The stored CSV form: ``"a,b,c"`` without spaces, or ``""``."""
    return ",".join(normalize_list(value, resolver))


def parse_stored(csv: str | None) -> list[str]:
    """Tokens of an already-normalized CSV value (no validation)."""
    return [token for token in (csv or "").split(",") if token]


def runtime_methods(capabilities: str | Iterable[str] | None) -> list[str]:
    """Runtime methods implied by capabilities, in the vocabulary's fixed order."""
    present = set(
        parse_stored(capabilities) if isinstance(capabilities, str) else capabilities or []
    )
    methods: list[str] = []
    for capability, names in RUNTIME_METHODS.items():
        if capability in present:
            methods.extend(names)
    return methods


def describe() -> dict:
    """The live vocabulary as published by the SDK and the API: capabilities (built-in, then
    added), their aliases, runtime methods, ``extra_config`` schemas, and the other governed
    vocabularies (extended capabilities, formats, providers) with their aliases."""
    from .extra_config import schemas_by_capability
    from .vocabularies import KINDS

    vocabularies = {key: kind.describe() for key, kind in KINDS.items()}
    capabilities = vocabularies["capability"]
    return {
        "capabilities": capabilities["terms"],
        "built_in": list(CAPABILITIES),
        "aliases": capabilities["aliases"],
        "runtime_methods": {name: list(methods) for name, methods in RUNTIME_METHODS.items()},
        "extra_config_schemas": schemas_by_capability(capabilities["terms"]),
        "vocabularies": vocabularies,
    }
