"""``module_sdk.capabilities``: DESIGN.md's vocabulary, aliases and runtime methods, word for
word, and validation errors (never a bare ``TypeError``) for bad input."""

from __future__ import annotations

import pytest

from inventory.sdk import module_sdk

from .assertions import ALL_METHODS, expect_invalid

pytestmark = pytest.mark.django_db

capabilities = module_sdk.capabilities

VOCABULARY = [
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
    "image_generation",
    "image_editing",
    "video_generation",
    "moderation",
    "ocr",
    "audio_generation",
    "speaker_embedding",
    "search",
    "vector_store",
]

ALIASES = {
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
    "responses": "chat",
    "audio_transcription": "stt",
    "speech_to_text": "stt",
    "audio_speech": "tts",
    "text_to_speech": "tts",
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
}


def test_vocabulary_and_aliases_as_designed():
    assert list(capabilities.vocabulary) == VOCABULARY
    assert dict(capabilities.aliases) == ALIASES
    described = capabilities.describe()
    assert described["capabilities"] == VOCABULARY
    assert described["aliases"] == ALIASES
    assert set(described["extra_config_schemas"]) == set(VOCABULARY)


def test_runtime_methods_follow_the_fixed_order_whatever_the_input_order():
    assert capabilities.runtime_methods(list(reversed(VOCABULARY))) == ALL_METHODS
    assert capabilities.runtime_methods("object-detection, TTS") == [
        "synthesize",
        "synthesize_stream",
        "detect",
    ]
    assert capabilities.runtime_methods("audio,offline,cpu_friendly,high_throughput") == []


def test_normalize_applies_aliases_and_keeps_first_occurrence():
    assert capabilities.normalize(" Rerank, embeddings ,reranking,Knowledge Graph") == (
        "reranking,embedding,triples_extractor"
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ("chat,rank", "unknown capability 'rank'; known capabilities: " + ", ".join(VOCABULARY)),
        (7, "capabilities must be a comma-separated string or a list of strings"),
        ({"chat": True}, "capabilities must be a comma-separated string or a list of strings"),
        (["chat", 1], "capabilities must be a comma-separated string or a list of strings"),
    ],
)
def test_bad_input_is_a_validation_error(value, message):
    for call in (
        capabilities.normalize,
        capabilities.runtime_methods,
        capabilities.extra_config_schema,
    ):
        expect_invalid(lambda call=call: call(value), "capabilities", message, first=True)
