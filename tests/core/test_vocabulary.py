"""The governed vocabularies as data, through the SDK: adding and removing terms and aliases,
their rules, and every field they govern (capabilities, extended capabilities, format,
provider, provider hint), plus ``quantization``."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryProtectedError, RegistryValidationError
from inventory.models import VocabularyAlias, VocabularyTerm
from inventory.vocabularies import CAPABILITY, FEATURE, FORMAT, KINDS, PROVIDER

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary(sdk):
    return sdk.vocabulary


@pytest.fixture
def catalog(sdk):
    return sdk.models.available_model_registry


@pytest.fixture
def engines(sdk):
    return sdk.models.engine_registry


def test_built_ins_are_seeded_as_read_only_rows():
    for key, kind in KINDS.items():
        stored = VocabularyTerm.objects.filter(kind=key, built_in=True)
        assert list(stored.order_by("id").values_list("name", flat=True)) == list(kind.built_in)
        aliases = VocabularyAlias.objects.filter(kind=key, built_in=True)
        assert dict(aliases.values_list("alias", "term__name")) == dict(kind.aliases)
    assert CAPABILITY.built_in[:16][-1] == "high_throughput"


def test_added_capability_is_accepted_listed_filterable_and_removable(sdk, vocabulary, engine):
    models = sdk.models.model_registry
    expect_invalid(
        lambda: models.create({"name": "m", "engine_id": engine["id"], "capabilities": "dance"}),
        "capabilities",
        "unknown capability 'dance'; known capabilities: " + ", ".join(CAPABILITY.built_in),
        first=True,
    )
    added = vocabulary.add_term({"kind": "capability", "name": "Dance", "label": "Dancing"})
    assert added == {
        "kind": "capability",
        "name": "dance",
        "label": "Dancing",
        "description": "",
        "built_in": False,
        "aliases": [],
    }
    row = models.create({"name": "m", "engine_id": engine["id"], "capabilities": "chat,DANCE"})
    assert row["capabilities"] == "chat,dance"
    assert row["runtime_methods"] == ["generate_completion", "generate_stream"]
    described = sdk.capabilities.describe()
    assert described["capabilities"] == [*CAPABILITY.built_in, "dance"]
    assert described["built_in"] == list(CAPABILITY.built_in)
    assert "dance" in described["extra_config_schemas"]
    assert sdk.capabilities.vocabulary[-1] == "dance"
    assert [r["name"] for r in models.all({"capabilities": "dance"})["rows"]] == ["m"]

    with pytest.raises(RegistryProtectedError) as refused:
        vocabulary.remove_term("capability", "dance")
    assert str(refused.value) == (
        "capability 'dance' is still used by 1 registered models (capabilities) ('m'); "
        "change those rows first"
    )
    models.update(row["id"], {"capabilities": "chat"})
    assert vocabulary.remove_term("capability", "dance") is True
    assert vocabulary.remove_term("capability", "dance") is False
    expect_invalid(
        lambda: models.count({"capabilities": "dance"}),
        "capabilities",
        "unknown capability 'dance'",
        exact=False,
    )


def test_renaming_is_done_with_an_alias(sdk, vocabulary, engine):
    vocabulary.add_term({"kind": "capability", "name": "dance"})
    alias = vocabulary.add_alias({"kind": "capability", "alias": "Ballet", "term": "dance"})
    assert alias == {"kind": "capability", "alias": "ballet", "term": "dance", "built_in": False}
    row = sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "capabilities": ["ballet"]}
    )
    assert row["capabilities"] == "dance"
    assert sdk.capabilities.aliases["ballet"] == "dance"
    assert sdk.capabilities.describe()["aliases"]["ballet"] == "dance"
    term = VocabularyTerm.objects.get(kind="capability", name="dance")
    term.name = "ballet_dance"
    with pytest.raises(Exception, match="cannot be renamed; add an alias"):
        term.full_clean()
    assert vocabulary.remove_alias("capability", "ballet") is True
    expect_invalid(
        lambda: sdk.capabilities.normalize("ballet"), "capabilities", "unknown", exact=False
    )


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"kind": "capability", "name": "chat"}, "name", "'chat' is already a known capability"),
        (
            {"kind": "capability", "name": "vision"},
            "name",
            "'vision' is already an alias of the capability 'image_to_text'",
        ),
        (
            {"kind": "capability", "name": "pdf_input"},
            "name",
            "'pdf_input' is already a known extended capability",
        ),
        (
            {"kind": "feature", "name": "function_calling"},
            "name",
            "'function_calling' is already an alias of the capability 'tool_calling'",
        ),
        ({"kind": "provider", "name": "llama.cpp"}, "name", "already an alias of the provider"),
        ({"kind": "format", "name": "a,b"}, "name", "is not a valid name"),
        ({"kind": "format", "name": "x" * 65}, "name", "at most 64 characters"),
        ({"kind": "colour", "name": "red"}, "kind", "kind must be one of: capability, feature"),
        ({"kind": "format", "name": ""}, "name", "name is required"),
        ({"kind": "format", "name": "z", "size": 1}, "size", "unknown field 'size'"),
    ],
)
def test_term_rules(vocabulary, payload, field, message):
    expect_invalid(lambda: vocabulary.add_term(payload), field, message, exact=False)
    assert not VocabularyTerm.objects.filter(built_in=False).exists()


def test_alias_rules(vocabulary):
    expect_invalid(
        lambda: vocabulary.add_alias({"kind": "provider", "alias": "olama", "term": "olamma"}),
        "term",
        "unknown provider 'olamma'; known providers: ollama",
        exact=False,
    )
    expect_invalid(
        lambda: vocabulary.add_alias({"kind": "provider", "alias": "vllm", "term": "ollama"}),
        "alias",
        "'vllm' is already a known provider",
    )
    assert vocabulary.add_alias({"kind": "provider", "alias": "olama", "term": "ollama"})


def test_built_ins_cannot_be_removed(vocabulary):
    with pytest.raises(RegistryProtectedError, match="built-in capability 'chat'"):
        vocabulary.remove_term("capability", "chat")
    with pytest.raises(RegistryProtectedError, match="built-in alias 'vision'"):
        vocabulary.remove_alias("capability", "vision")


def test_providers_are_governed(engines, vocabulary):
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "olama"}),
        "provider",
        "unknown provider 'olama'; known providers: " + ", ".join(PROVIDER.built_in),
        first=True,
    )
    for spelling in ("llama.cpp", "Llama-CPP", " llama_cpp "):
        row = engines.create({"name": f"e-{spelling.strip()}", "provider": spelling})
        assert row["provider"] == "llamacpp"
    assert engines.count({"provider": "llama.cpp"}) == 3
    expect_invalid(
        lambda: engines.create({"name": "e", "provider": "mycorp_runtime"}),
        "provider",
        "unknown",
        exact=False,
    )
    vocabulary.add_term({"kind": "provider", "name": "mycorp_runtime"})
    assert engines.create({"name": "e", "provider": "MyCorp Runtime"})["provider"] == (
        "mycorp_runtime"
    )
    with pytest.raises(RegistryProtectedError, match=r"1 engines \(provider\) \('e'\)"):
        vocabulary.remove_term("provider", "mycorp_runtime")


def test_provider_hint_and_format_are_governed(catalog, vocabulary):
    row = catalog.create(
        {"name": "m", "provider_hint": "vertex_ai-language-models", "format": "GGUFv2"}
    )
    assert (row["provider_hint"], row["format"]) == ("vertex_ai", "gguf")
    assert catalog.create({"name": "n", "format": "pytorch"})["format"] == "pt"
    expect_invalid(
        lambda: catalog.create({"name": "o", "format": "ggfu"}),
        "format",
        "unknown format 'ggfu'; known formats: " + ", ".join(FORMAT.built_in),
    )
    expect_invalid(
        lambda: catalog.create({"name": "o", "provider_hint": "olama"}),
        "provider_hint",
        "unknown provider 'olama'",
        exact=False,
    )
    vocabulary.add_term({"kind": "format", "name": "mycorp_blob"})
    assert catalog.create({"name": "o", "format": "mycorp-blob"})["format"] == "mycorp_blob"
    assert [r["name"] for r in catalog.all({"format": "mycorp_blob"})["rows"]] == ["o"]
    assert "mycorp_blob" in catalog.table_model()[5]["options"]


def test_features_are_governed_and_routed(catalog, vocabulary):
    row = catalog.create(
        {
            "name": "m",
            "capabilities": ["chat", "function_calling", "pdf_input", "prompt_caching"],
            "extended_capabilities": "structured output, image_generation",
        }
    )
    assert row["capabilities"] == "chat,tool_calling,image_generation"
    assert row["extended_capabilities"] == "response_schema,pdf_input,prompt_caching"
    expect_invalid(
        lambda: catalog.create({"name": "n", "extended_capabilities": "telepathy"}),
        "extended_capabilities",
        "unknown extended capability 'telepathy'; known extended capabilities: "
        + ", ".join(FEATURE.built_in),
    )
    vocabulary.add_term({"kind": "feature", "name": "telepathy"})
    assert (
        catalog.create({"name": "n", "extended_capabilities": "Telepathy"})["extended_capabilities"]
        == "telepathy"
    )
    with pytest.raises(RegistryProtectedError, match="extended capability 'telepathy'"):
        vocabulary.remove_term("feature", "telepathy")


def test_features_are_refused_on_registered_models_with_a_hint(make_model):
    expect_invalid(
        lambda: make_model(capabilities="chat,pdf_input"),
        "capabilities",
        "unknown capability 'pdf_input'; known capabilities: "
        + ", ".join(CAPABILITY.built_in)
        + "; 'pdf_input' is an extended capability (extended_capabilities)",
    )


def test_quantization_is_trimmed_free_text_filtered_without_case(catalog):
    row = catalog.create({"name": "m", "format": "gguf", "quantization": "  Q4_K_M "})
    assert row["quantization"] == "Q4_K_M"
    assert catalog.create({"name": "n", "quantization": "4-bit  (nf4)"})["quantization"] == (
        "4-bit (nf4)"
    )
    assert [r["name"] for r in catalog.all({"quantization": "q4_k_m"})["rows"]] == ["m"]
    expect_invalid(
        lambda: catalog.create({"name": "o", "quantization": "x" * 65}),
        "quantization",
        "at most 64 characters",
        exact=False,
    )
    assert any(entry["field"] == "quantization" for entry in catalog.table_model())


def test_a_term_added_by_another_worker_is_accepted_at_once(sdk, engine):
    """No per-process cache: a row written by any process is seen by the next validation."""
    VocabularyTerm.objects.bulk_create([VocabularyTerm(kind="capability", name="juggling")])
    row = sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "capabilities": "juggling"}
    )
    assert row["capabilities"] == "juggling"
    VocabularyTerm.objects.filter(name="juggling").update(name="juggle")
    with pytest.raises(RegistryValidationError):
        sdk.capabilities.normalize("juggling")


def test_built_in_tokens_cost_no_query(sdk, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sdk.capabilities.normalize("function_calling,Audio Transcription,vision") == (
            "tool_calling,stt,image_to_text"
        )


def test_compatible_engines_are_read_through_provider_aliases(sdk, catalog, engines):
    engine = engines.create({"name": "cpp", "provider": "llama.cpp"})
    model = catalog.create(
        {"name": "m", "format": "ggufv2", "source_payload": {"compatible_engines": ["LLaMA-CPP"]}}
    )
    bound = sdk.workflows.bind(engine["id"], model["id"])
    assert bound["row"]["engine_id"] == engine["id"]


@pytest.mark.parametrize("token", ["a\x00b", "\ud800x", "x" * 65, "a/b", "é"])
def test_tokens_that_cannot_be_names_are_refused_without_a_lookup(
    sdk, token, django_assert_num_queries
):
    """Only the refusal's list of added terms is read (a NUL byte or a lone surrogate would
    make PostgreSQL fail the lookup)."""
    with (
        django_assert_num_queries(1),
        pytest.raises(RegistryValidationError, match="unknown capability"),
    ):
        sdk.capabilities.normalize(["chat", token])


@pytest.mark.parametrize(
    "call",
    [
        lambda v: v.add_term({"kind": "format", "name": "ok", "label": "a\x00b"}),
        lambda v: v.add_term({"kind": "format", "name": "ok", "description": "\ud800"}),
        lambda v: v.add_term({"kind": "format", "name": "a\x00b"}),
        lambda v: v.add_alias({"kind": "format", "alias": "\ud800", "term": "gguf"}),
        lambda v: v.add_alias({"kind": "format", "alias": "gg", "term": "a\x00"}),
    ],
)
def test_unstorable_text_is_a_validation_error(vocabulary, call):
    with pytest.raises(RegistryValidationError):
        call(vocabulary)
    assert vocabulary.remove_term("format", "a\x00b") is False
    assert vocabulary.remove_alias("format", "\ud800") is False
