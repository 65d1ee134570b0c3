"""Property-based tests of ``inventory.capabilities.normalize``."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from inventory import capabilities as caps
from inventory import vocabularies
from inventory.capabilities import ALIASES, CAPABILITIES, UnknownCapabilityError, normalize

PROFILE = settings(max_examples=150, deadline=None)
SPELLINGS = (*CAPABILITIES, *ALIASES)


@st.composite
def spelled(draw: st.DrawFn, names: tuple[str, ...] = SPELLINGS) -> tuple[str, str]:
    """A vocabulary word or alias with arbitrary case, ``-``/space for ``_`` and padding.

    Returns ``(written form, canonical capability)``.
    """
    name = draw(st.sampled_from(names))
    letters = [
        draw(st.sampled_from(["_", "-", " ", "  "])) if char == "_" else char for char in name
    ]
    cased = "".join(char.upper() if draw(st.booleans()) else char for char in "".join(letters))
    pad = st.sampled_from(["", " ", "\t", "  "])
    return draw(pad) + cased + draw(pad), ALIASES.get(name, name)


known_tokens = st.lists(spelled(), max_size=12)
FEATURES = {*vocabularies.FEATURE.built_in, *vocabularies.FEATURE.aliases}


@pytest.fixture(autouse=True, scope="module")
def built_ins_only():
    """The pure functions over the built-in vocabulary (no terms added as data)."""
    previous = vocabularies.current_resolver()
    vocabularies.install_resolver(vocabularies.BuiltInsOnly())
    yield
    vocabularies.install_resolver(previous)


def first_occurrences(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def unknown_word() -> st.SearchStrategy[str]:
    """A token that is not empty and not in the vocabulary (nor an alias) once canonical."""
    return st.text(
        alphabet=st.characters(codec="ascii", exclude_characters=",", exclude_categories=("Cc",)),
        min_size=1,
        max_size=20,
    ).filter(
        lambda text: (
            caps.canonical_token(text) not in ("", *CAPABILITIES)
            and vocabularies.spell(text) not in FEATURES
        )
    )


@PROFILE
@given(known_tokens)
def test_csv_output_is_canonical(tokens):
    result = normalize([written for written, _ in tokens])
    assert " " not in result
    assert not result.startswith(",") and not result.endswith(",")
    assert ",," not in result
    parts = result.split(",") if result else []
    assert all(part in CAPABILITIES for part in parts)
    assert len(parts) == len(set(parts))


@PROFILE
@given(known_tokens)
def test_order_preserving_first_occurrence_and_alias_aware(tokens):
    expected = first_occurrences([canonical for _, canonical in tokens])
    assert normalize([written for written, _ in tokens]) == ",".join(expected)


@PROFILE
@given(known_tokens)
def test_idempotent(tokens):
    once = normalize([written for written, _ in tokens])
    assert normalize(once) == once
    assert normalize(once.split(",") if once else []) == once


@PROFILE
@given(known_tokens, st.sampled_from([",", " ,", ", ", " , "]))
def test_list_and_csv_inputs_agree(tokens, separator):
    written = [item for item, _ in tokens]
    assert normalize(separator.join(written)) == normalize(written)


@PROFILE
@given(st.lists(st.lists(spelled(), max_size=4), max_size=4))
def test_list_items_may_hold_csv(groups):
    nested = [",".join(written for written, _ in group) for group in groups]
    flat = [written for group in groups for written, _ in group]
    assert normalize(nested) == normalize(flat)


@PROFILE
@given(spelled(tuple(ALIASES)))
def test_every_alias_maps_to_its_capability(alias):
    written, canonical = alias
    assert normalize(written) == canonical
    assert canonical in CAPABILITIES


@PROFILE
@given(known_tokens, st.lists(st.sampled_from(["", " ", "\t"]), max_size=4))
def test_empties_are_dropped(tokens, empties):
    written = [item for item, _ in tokens]
    assert normalize([*empties, *written, *empties]) == normalize(written)


@PROFILE
@given(known_tokens, unknown_word(), known_tokens)
def test_unknown_tokens_always_raise(before, unknown, after):
    written = [item for item, _ in before] + [unknown] + [item for item, _ in after]
    for value in (written, ",".join(written)):
        with pytest.raises(UnknownCapabilityError) as info:
            normalize(value)
        assert unknown.strip() in info.value.unknown
        message = str(info.value)
        assert repr(unknown.strip()) in message
        assert message.endswith("known capabilities: " + ", ".join(CAPABILITIES))


@PROFILE
@given(unknown_word())
def test_unknown_is_a_value_error(unknown):
    assume(unknown.strip())
    with pytest.raises(ValueError):
        normalize(unknown)


def test_vocabulary_order_and_runtime_methods():
    assert CAPABILITIES[:5] == ("chat", "tool_calling", "reasoning", "image_to_text", "embedding")
    assert CAPABILITIES[16:] == (
        "image_generation",
        "image_editing",
        "video_generation",
        "moderation",
        "ocr",
        "audio_generation",
        "speaker_embedding",
        "search",
        "vector_store",
    )
    assert caps.runtime_methods("stt,chat") == [
        "generate_completion",
        "generate_stream",
        "transcribe",
    ]
    assert all(alias not in CAPABILITIES for alias in ALIASES)


def test_none_and_empty():
    assert normalize(None) == ""
    assert normalize("") == ""
    assert normalize([]) == ""
