"""The capability vocabulary: canonical names, aliases, normalization and runtime methods.

Capabilities travel as a CSV string (``"chat,embedding"``) in rows and payloads; input may
be a CSV string or a list. Normalization lower-cases, trims, maps ``-`` and spaces to ``_``,
applies aliases, drops empties and de-duplicates keeping the first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CAPABILITIES: tuple[str, ...] = (
    "chat",
    "tool_calling",
    "reasoning",
    "image_to_text",
    "embedding",
    "reranking",
    "classification",
    "token_extraction",
    "triples_extractor",
    "tts",
    "stt",
    "detection",
    "audio",
    "offline",
    "cpu_friendly",
    "high_throughput",
)

ALIASES: dict[str, str] = {
    "completion": "chat",
    "embed": "embedding",
    "embeddings": "embedding",
    "rerank": "reranking",
    "ranking": "reranking",
    "classify": "classification",
    "ner": "token_extraction",
    "extract_tokens": "token_extraction",
    "triples": "triples_extractor",
    "triple_extraction": "triples_extractor",
    "kg": "triples_extractor",
    "knowledge_graph": "triples_extractor",
    "transcription": "stt",
    "speech_synthesis": "tts",
    "object_detection": "detection",
    "vision": "image_to_text",
}

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


def list_expected(name: str = "capabilities") -> str:
    """The one wording for a list field given something other than CSV text or strings."""
    return f"{name} must be a comma-separated string or a list of strings"


class UnknownCapabilityError(ValueError):
    """Raised for a capability outside the vocabulary; the message lists the vocabulary."""

    def __init__(self, unknown: list[str]):
        self.unknown = unknown
        names = ", ".join(repr(name) for name in unknown)
        noun = "capability" if len(unknown) == 1 else "capabilities"
        super().__init__(f"unknown {noun} {names}; known capabilities: {', '.join(CAPABILITIES)}")


def canonical_token(token: str) -> str:
    """One token in canonical spelling (aliases applied); may be empty or unknown."""
    cleaned = "_".join(token.strip().lower().replace("-", " ").split())
    return ALIASES.get(cleaned, cleaned)


def split_tokens(value: str | Iterable[str] | None, name: str = "capabilities") -> list[str]:
    """Split a CSV string or a list into raw tokens (list items may hold commas too); anything
    else (an object, a number, a list holding non-strings) is a ``TypeError`` naming ``name``."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
        raise TypeError(list_expected(name))
    tokens: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(list_expected(name))
        tokens.extend(item.split(","))
    return tokens


def normalize_list(value: str | Iterable[str] | None) -> list[str]:
    """Canonical capability names, in input order, without duplicates.

    Raises ``UnknownCapabilityError`` naming every token outside the vocabulary.
    """
    result: list[str] = []
    unknown: list[str] = []
    for raw in split_tokens(value):
        token = canonical_token(raw)
        if not token:
            continue
        if token not in CAPABILITIES:
            if raw.strip() not in unknown:
                unknown.append(raw.strip())
            continue
        if token not in result:
            result.append(token)
    if unknown:
        raise UnknownCapabilityError(unknown)
    return result


def normalize(value: str | Iterable[str] | None) -> str:
    """The stored CSV form: ``"a,b,c"`` without spaces, or ``""``."""
    return ",".join(normalize_list(value))


def parse_stored(csv: str | None) -> list[str]:
    """Tokens of an already-normalized CSV value (no validation)."""
    return [token for token in (csv or "").split(",") if token]


def runtime_methods(capabilities: str | Iterable[str] | None) -> list[str]:
    """Runtime methods implied by capabilities, in the vocabulary's fixed order."""
    present = set(
        parse_stored(capabilities) if isinstance(capabilities, str) else capabilities or []
    )
    methods: list[str] = []
    for capability in CAPABILITIES:
        if capability in present:
            methods.extend(RUNTIME_METHODS.get(capability, ()))
    return methods


def describe() -> dict:
    """The vocabulary as published by the SDK and the API."""
    from .extra_config import schemas_by_capability

    return {
        "capabilities": list(CAPABILITIES),
        "aliases": dict(ALIASES),
        "runtime_methods": {name: list(methods) for name, methods in RUNTIME_METHODS.items()},
        "extra_config_schemas": schemas_by_capability(),
    }
