"""Property-based tests of the one normalization every governed vocabulary shares."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory import vocabularies
from inventory.vocabularies import KINDS, UnknownTermError, spell

PROFILE = settings(max_examples=100, deadline=None)


@pytest.fixture(autouse=True, scope="module")
def built_ins_only():
    previous = vocabularies.current_resolver()
    vocabularies.install_resolver(vocabularies.BuiltInsOnly())
    yield
    vocabularies.install_resolver(previous)


@st.composite
def written(draw: st.DrawFn) -> tuple[vocabularies.Kind, str, str]:
    """(vocabulary, a term or alias written with any case, padding and ``-``/space for
    ``_``, the term it names)."""
    kind = draw(st.sampled_from(list(KINDS.values())))
    name = draw(st.sampled_from([*kind.built_in, *kind.aliases]))
    text = "".join(draw(st.sampled_from(["_", "-", " "])) if char == "_" else char for char in name)
    text = "".join(char.upper() if draw(st.booleans()) else char for char in text)
    return kind, f"{draw(st.sampled_from(['', ' ', '  ']))}{text} ", kind.aliases.get(name, name)


@PROFILE
@given(written())
def test_every_spelling_names_its_term_and_is_idempotent(case):
    kind, text, term = case
    assert kind.normalize_one(text) == term
    assert kind.normalize_one(term) == term
    assert kind.normalize([text, text]) == term


@PROFILE
@given(st.sampled_from(list(KINDS.values())), st.text(min_size=1, max_size=12))
def test_anything_else_is_refused_with_the_vocabulary_listed(kind, text):
    token = spell(text)
    if not token or "," in text or kind.built_in_term(token):
        return
    with pytest.raises(UnknownTermError) as refused:
        kind.normalize_one(text)
    assert str(refused.value).endswith(f"known {kind.plural}: " + ", ".join(kind.built_in))


def test_vocabularies_are_disjoint_where_tokens_move_between_lists():
    capability, feature = KINDS["capability"], KINDS["feature"]
    spellings = {*capability.built_in, *capability.aliases}
    assert not spellings & {*feature.built_in, *feature.aliases}
    for kind in KINDS.values():
        assert not set(kind.built_in) & set(kind.aliases)
        assert all(vocabularies.name_error(name) is None for name in kind.built_in)
        assert all(vocabularies.name_error(alias) is None for alias in kind.aliases)
