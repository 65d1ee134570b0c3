"""The four governed vocabularies: capabilities, extended capabilities (features), artifact
formats and providers.

Each vocabulary has built-in terms and aliases here, in code; administrators add terms and
aliases as data. This module imports no Django: the server plugs in a resolver that looks
up the added terms in the database, the HTTP client one that asks the server, so both apply
the same rules to the same live vocabulary.

A token is spelt canonically by lower-casing, trimming and mapping ``-`` and spaces to
``_``; an alias then maps it onto its term. A token that is neither a term nor an alias is
refused with the vocabulary listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

LIST_EXPECTED = "{field} must be a comma-separated string or a list of strings"

#: A canonical term or alias: lower-case letters, digits, ``_``, ``.`` and ``+``.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.+]*")
NAME_MAX_LENGTH = 64


class Resolver(Protocol):
    """Where the terms and aliases added by administrators come from."""

    def resolve(self, kind: str, tokens: Sequence[str]) -> dict[str, str]:
        """The added terms and aliases among canonically spelt ``tokens``: token → term."""

    def added_terms(self, kind: str) -> list[str]:
        """Every added term of ``kind``, in the order they were added."""

    def added_aliases(self, kind: str) -> dict[str, str]:
        """Every added alias of ``kind``: alias → term."""


class BuiltInsOnly:
    """A resolver that knows no added terms."""

    def resolve(self, kind: str, tokens: Sequence[str]) -> dict[str, str]:
        return {}

    def added_terms(self, kind: str) -> list[str]:
        return []

    def added_aliases(self, kind: str) -> dict[str, str]:
        return {}


_resolver: Resolver = BuiltInsOnly()


def install_resolver(resolver: Resolver) -> None:
    """Make ``resolver`` the default source of added terms (the server's database)."""
    global _resolver
    _resolver = resolver


def current_resolver() -> Resolver:
    return _resolver


class UnknownTermError(ValueError):
    """A token outside a vocabulary; the message names it and lists the vocabulary."""

    def __init__(self, kind: Kind, unknown: list[str], known: Sequence[str], hint: str = ""):
        self.kind = kind
        self.unknown = unknown
        names = ", ".join(repr(name) for name in unknown)
        noun = kind.singular if len(unknown) == 1 else kind.plural
        super().__init__(f"unknown {noun} {names}; known {kind.plural}: {', '.join(known)}{hint}")


def could_be_name(token: str) -> bool:
    """Whether a spelt token could name an added term or alias (others are never looked up,
    so a NUL or a lone surrogate never reaches the database)."""
    return len(token) <= NAME_MAX_LENGTH and NAME_PATTERN.fullmatch(token) is not None


def spell(token: str) -> str:
    """The canonical spelling of a token, before aliases: ``" Llama-CPP "`` → ``llama_cpp``."""
    return "_".join(token.strip().lower().replace("-", " ").split())


def split_tokens(value: str | Iterable[str] | None, field_name: str) -> list[str]:
    """Split a CSV string or a list into raw tokens (list items may hold commas too)."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise TypeError(LIST_EXPECTED.format(field=field_name))
    tokens: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(LIST_EXPECTED.format(field=field_name))
        tokens.extend(item.split(","))
    return tokens


@dataclass(frozen=True)
class Kind:
    """One vocabulary: its built-in terms and aliases, and how it names itself in messages."""

    key: str
    singular: str
    plural: str
    field: str
    built_in: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        stray = {alias: term for alias, term in self.aliases.items() if term not in self.built_in}
        if stray:
            raise ValueError(f"{self.key} aliases point outside the vocabulary: {stray}")

    def built_in_term(self, token: str) -> str | None:
        """The built-in term a canonically spelt token names, if any."""
        term = self.aliases.get(token, token)
        return term if term in self.built_in else None

    def canonical(self, token: str) -> str:
        """A token's spelling with built-in aliases applied, without validating it (for
        values stored before the vocabulary governed them)."""
        spelt = spell(token)
        return self.aliases.get(spelt, spelt)

    def known(self, resolver: Resolver | None = None) -> list[str]:
        """The live vocabulary: built-in terms, then the added ones."""
        return [*self.built_in, *(resolver or _resolver).added_terms(self.key)]

    def resolve(self, tokens: Sequence[str], resolver: Resolver | None = None) -> dict[str, str]:
        """token → term for the canonically spelt tokens that name a term; built-ins cost
        nothing, only the others that could be names at all are looked up."""
        found: dict[str, str] = {}
        others: list[str] = []
        for token in tokens:
            term = self.built_in_term(token)
            if term is not None:
                found[token] = term
            elif token not in others and could_be_name(token):
                others.append(token)
        if others:
            found.update((resolver or _resolver).resolve(self.key, others))
        return found

    def refuse(
        self, unknown: list[str], resolver: Resolver | None = None, hint: str = ""
    ) -> UnknownTermError:
        return UnknownTermError(self, unknown, self.known(resolver), hint)

    def normalize_list(
        self, value: str | Iterable[str] | None, resolver: Resolver | None = None
    ) -> list[str]:
        """Terms in input order without duplicates; raises ``UnknownTermError`` naming every
        token outside the vocabulary, ``TypeError`` for a value that is not a list."""
        raw_tokens = [raw for raw in split_tokens(value, self.field) if spell(raw)]
        terms = self.resolve([spell(raw) for raw in raw_tokens], resolver)
        result: list[str] = []
        unknown: list[str] = []
        for raw in raw_tokens:
            term = terms.get(spell(raw))
            if term is None:
                if raw.strip() not in unknown:
                    unknown.append(raw.strip())
            elif term not in result:
                result.append(term)
        if unknown:
            raise self.refuse(unknown, resolver)
        return result

    def sort(
        self, value: str | Iterable[str] | None, other: Kind, resolver: Resolver | None = None
    ) -> tuple[list[str], list[str]]:
        """The terms of this vocabulary and those of ``other`` named in ``value``; a token of
        neither is refused as unknown to this one."""
        raw_tokens = [raw for raw in split_tokens(value, self.field) if spell(raw)]
        spelt = [spell(raw) for raw in raw_tokens]
        mine = self.resolve(spelt, resolver)
        strays = [token for token in spelt if token not in mine]
        theirs = other.resolve(strays, resolver) if strays else {}
        own: list[str] = []
        foreign: list[str] = []
        unknown: list[str] = []
        for raw, token in zip(raw_tokens, spelt, strict=True):
            if token in mine:
                own.append(mine[token])
            elif token in theirs:
                foreign.append(theirs[token])
            elif raw.strip() not in unknown:
                unknown.append(raw.strip())
        if unknown:
            raise self.refuse(unknown, resolver)
        return list(dict.fromkeys(own)), list(dict.fromkeys(foreign))

    def normalize(self, value: str | Iterable[str] | None, resolver: Resolver | None = None) -> str:
        """The stored CSV form: ``"a,b,c"`` without spaces, or ``""``."""
        return ",".join(self.normalize_list(value, resolver))

    def normalize_one(self, value: str | None, resolver: Resolver | None = None) -> str:
        """One term (or ``""`` for a blank value), for single-valued fields."""
        token = spell(value or "")
        if not token:
            return ""
        term = self.resolve([token], resolver).get(token)
        if term is None:
            raise self.refuse([value.strip()], resolver)
        return term

    def describe(self, resolver: Resolver | None = None) -> dict[str, Any]:
        """The live vocabulary with its aliases (built-in and added)."""
        resolver = resolver or _resolver
        aliases = {**self.aliases, **resolver.added_aliases(self.key)}
        return {"terms": self.known(resolver), "built_in": list(self.built_in), "aliases": aliases}


CAPABILITY = Kind(
    "capability",
    "capability",
    "capabilities",
    "capabilities",
    built_in=(
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
        # Tasks of real catalogs (LiteLLM modes, Xinference model types).
        "image_generation",
        "image_editing",
        "video_generation",
        "moderation",
        "ocr",
        "audio_generation",
        "speaker_embedding",
        "search",
        "vector_store",
    ),
    aliases={
        "completion": "chat",
        "responses": "chat",
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
        "audio_transcription": "stt",
        "speech_to_text": "stt",
        "speech_synthesis": "tts",
        "audio_speech": "tts",
        "text_to_speech": "tts",
        "object_detection": "detection",
        "vision": "image_to_text",
        "image_input": "image_to_text",
        "function_calling": "tool_calling",
        "tool_choice": "tool_calling",
        "parallel_function_calling": "tool_calling",
        "audio_input": "audio",
        "audio_output": "audio",
        "text_to_image": "image_generation",
        "image_edit": "image_editing",
        "nova_canvas_image_edit": "image_editing",
        "text_to_video": "video_generation",
        "content_moderation": "moderation",
        "music_generation": "audio_generation",
        "text_to_audio": "audio_generation",
        "speaker_verification": "speaker_embedding",
    },
)

FEATURE = Kind(
    "feature",
    "extended capability",
    "extended capabilities",
    "extended_capabilities",
    built_in=(
        # Feature flags of providers' APIs (LiteLLM's supports_* flags and their kin).
        "response_schema",
        "native_structured_output",
        "prompt_caching",
        "system_messages",
        "pdf_input",
        "video_input",
        "url_context",
        "web_search",
        "computer_use",
        "native_streaming",
        "streaming",
        "assistant_prefill",
        "adaptive_thinking",
        "output_config",
        "parallel_tool_use_config",
        "mid_conversation_system",
        "none_reasoning_effort",
        "minimal_reasoning_effort",
        "max_reasoning_effort",
        "xhigh_reasoning_effort",
        "embedding_image_input",
        "realtime",
        "multimodal",
        "speed",
        "json_mode",
    ),
    aliases={
        "structured_output": "response_schema",
        "json_schema": "response_schema",
        "prompt_cache": "prompt_caching",
        "context_caching": "prompt_caching",
        "stream": "streaming",
        "system_message": "system_messages",
    },
)

FORMAT = Kind(
    "format",
    "format",
    "formats",
    "format",
    built_in=(
        "gguf",
        "hf_snapshot",
        "pt",
        "onnx",
        "remote",
        "json",
        "safetensors",
        "mlx",
        "gptq",
        "awq",
        "fp8",
        "bnb",
        "ggml",
        "exl2",
        "openvino",
        "tensorrt",
        "ctranslate2",
        "coreml",
        "tflite",
    ),
    aliases={
        "ggufv2": "gguf",
        "gguf_v2": "gguf",
        "pytorch": "pt",
        "torch": "pt",
        "huggingface": "hf_snapshot",
        "hf": "hf_snapshot",
        "bitsandbytes": "bnb",
        "ggmlv3": "ggml",
        "ct2": "ctranslate2",
        "trt": "tensorrt",
    },
)

#: LiteLLM's provider names as found in its public model map, plus its internal sections
#: (``vertex_ai-language-models``…) as aliases of the provider they belong to.
LITELLM_PROVIDERS: tuple[str, ...] = (
    "ai21", "aiml", "amazon_nova", "anthropic", "anyscale", "apiserpent", "assemblyai",
    "aws_polly", "azure", "azure_ai", "baseten", "bedrock", "black_forest_labs", "cerebras",
    "chatgpt", "cloudflare", "codestral", "cohere", "crusoe", "darkbloom", "dashscope",
    "databricks", "dataforseo", "deepgram", "deepinfra", "deepseek", "duckduckgo",
    "elevenlabs", "exa_ai", "fal_ai", "featherless_ai", "firecrawl", "fireworks_ai",
    "friendliai", "gemini", "gigachat", "github_copilot", "gmi", "google_pse", "gradient_ai",
    "groq", "heroku", "hyperbolic", "inception", "jina_ai", "lambda_ai", "lemonade",
    "libertai", "linkup", "llamagate", "meta", "meta_llama", "minimax", "mistral", "moonshot",
    "morph", "nebius", "nlp_cloud", "novita", "nscale", "nvidia_nim", "oci", "openrouter",
    "ovhcloud", "palm", "parallel_ai", "perplexity", "pinstripes", "publicai", "recraft",
    "reducto", "replicate", "runwayml", "sagemaker", "sambanova", "sarvam", "scaleway",
    "searxng", "serper", "snowflake", "soniox", "stability", "tavily", "tencent",
    "tensormesh", "tinyfish", "together_ai", "v0", "vercel_ai_gateway", "vertex_ai",
    "volcengine", "voyage", "wandb", "watsonx", "xai", "you_com", "zai",
)  # fmt: skip

PROVIDER = Kind(
    "provider",
    "provider",
    "providers",
    "provider",
    built_in=(
        # Runtimes the registry runs models on.
        "ollama",
        "llamacpp",
        "vllm",
        "openai",
        "whisper_cpp",
        "piper",
        "tei",
        "onnxruntime",
        "sglang",
        "tgi",
        "xinference",
        "localai",
        "lmstudio",
        "llamafile",
        "mlx_lm",
        "transformers",
        "tensorrt_llm",
        "triton",
        "exllamav2",
        "ctranslate2",
        "faster_whisper",
        "gpustack",
        "litellm",
        # Hosted providers (LiteLLM's names).
        *LITELLM_PROVIDERS,
    ),
    aliases={
        "llama.cpp": "llamacpp",
        "llama_cpp": "llamacpp",
        "whisper.cpp": "whisper_cpp",
        "whispercpp": "whisper_cpp",
        "text_embeddings_inference": "tei",
        "text_generation_inference": "tgi",
        "onnx_runtime": "onnxruntime",
        "lm_studio": "lmstudio",
        "local_ai": "localai",
        "mlx": "mlx_lm",
        "trt_llm": "tensorrt_llm",
        "azure_openai": "azure",
        "azure_text": "azure",
        "bedrock_converse": "bedrock",
        "bedrock_mantle": "bedrock",
        "cohere_chat": "cohere",
        "fireworks_ai_embedding_models": "fireworks_ai",
        "text_completion_openai": "openai",
        "text_completion_codestral": "codestral",
        "text_completion_inception": "inception",
        "google": "gemini",
        **{
            f"vertex_ai_{section}": "vertex_ai"
            for section in (
                "ai21_models",
                "anthropic_models",
                "deepseek_models",
                "embedding_models",
                "image_models",
                "language_models",
                "llama_models",
                "minimax_models",
                "mistral_models",
                "moonshot_models",
                "openai_models",
                "qwen_models",
                "text_models",
                "video_models",
                "zai_models",
            )
        },
    },
)

KINDS: dict[str, Kind] = {kind.key: kind for kind in (CAPABILITY, FEATURE, FORMAT, PROVIDER)}

#: Kinds whose terms share one name space: a token is a task or a feature, never both, so
#: that a token given in the wrong list can be moved to its own.
SHARED_NAME_SPACE: dict[str, tuple[str, ...]] = {
    "capability": ("capability", "feature"),
    "feature": ("capability", "feature"),
}


def name_error(name: Any) -> str | None:
    """Why ``name`` cannot be a term or an alias, or ``None``."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return (
            f"{name!r} is not a valid name: use lower-case letters, digits, '_', '.' or '+', "
            "starting with a letter or digit"
        )
    if len(name) > NAME_MAX_LENGTH:
        return f"a name has at most {NAME_MAX_LENGTH} characters"
    return None
