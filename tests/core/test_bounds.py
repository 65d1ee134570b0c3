"""Hostile values refused by the model path with the field named: objects for list fields and
ids, NaN/Infinity for text, values over the declared size limits, look-alike names."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from inventory.errors import RegistryValidationError
from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.models.fields import json_max_bytes, json_size
from inventory.models.names import canonical_name
from inventory.sdk import module_sdk

from .assertions import expect_invalid

catalog = module_sdk.models.available_model_registry
engines = module_sdk.models.engine_registry
models = module_sdk.models.model_registry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["capabilities", "tags", "interfaces", "extended_capabilities"])
@pytest.mark.parametrize("value", [{}, {"chat": True}, 5, [1]])
def test_a_list_field_given_an_object_or_number_names_the_field(field, value):
    expect_invalid(
        lambda: catalog.create({"name": "x", field: value}),
        field,
        f"{field} must be a comma-separated string or a list of strings",
        first=True,
    )
    assert not AvailableModel.objects.exists()


def test_registered_capabilities_given_an_object(make_model, engine):
    row = make_model("llama3", capabilities="chat")
    expect_invalid(
        lambda: models.update(row["id"], {"capabilities": {}}),
        "capabilities",
        "capabilities must be a comma-separated string or a list of strings",
    )
    assert models.view(row["id"])["capabilities"] == "chat"


@pytest.mark.parametrize("value", [[], {}, [1], {"id": 1}, 1.5, True])
def test_knowledge_model_id_of_the_wrong_kind(make_model, value):
    make_model("embedder", capabilities="embedding", extra_config={"dim": 8})
    expect_invalid(
        lambda: module_sdk.knowledge.update_config({"embedding_model_id": value}),
        "embedding_model_id",
        f"embedding_model_id must be an integer, got {value!r}",
        first=True,
    )
    assert module_sdk.knowledge.get_config()["embedding_model_id"] is None


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, Decimal("NaN")])
@pytest.mark.parametrize(
    ("entity", "field"),
    [("engine", "name"), ("catalog", "summary"), ("catalog", "version"), ("model", "model_path")],
)
def test_nan_and_infinity_are_not_text(engine, entity, field, value):
    payloads = {
        "engine": (engines, {"name": "e", "provider": "ollama"}),
        "catalog": (catalog, {"name": "c"}),
        "model": (models, {"name": "m", "engine_id": engine["id"]}),
    }
    door, payload = payloads[entity]
    expect_invalid(
        lambda: door.create({**payload, field: value}),
        field,
        f"{field} must be a string, not NaN or Infinity",
    )


# --- size limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("summary", 2000),
        ("tags", 1000),
        ("interfaces", 1000),
        ("family", 100),
        ("storage_ref", 1024),
    ],
)
def test_text_over_its_limit_names_the_field_and_the_limit(field, limit):
    assert AvailableModel._meta.get_field(field).max_length == limit
    catalog.create({"name": "fits", field: "a" * limit})
    expect_invalid(
        lambda: catalog.create({"name": "over", field: "a" * (limit + 1)}),
        field,
        f"{field} must be at most {limit} characters long (got {limit + 1})",
        first=True,
    )


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Engine, "config"),
        (RegisteredModel, "extra_config"),
        (AvailableModel, "metadata"),
        (AvailableModel, "source_payload"),
        (AvailableModel, "artifacts"),
        (AvailableModel, "requirements"),
        (AvailableModel, "extra_config"),
    ],
)
def test_json_over_its_limit_names_the_field_and_the_limit(engine, model, field):
    limit = json_max_bytes(model._meta.get_field(field))
    assert limit
    door, payload = {
        Engine: (engines, {"name": "big", "provider": "ollama"}),
        RegisteredModel: (models, {"name": "big", "engine_id": engine["id"]}),
        AvailableModel: (catalog, {"name": "big"}),
    }[model]
    filler = "é" * limit  # two bytes each: the limit counts bytes, not characters
    value = [filler] if field == "artifacts" else {"x": filler}
    size = json_size(value)
    expect_invalid(
        lambda: door.create({**payload, field: value}),
        field,
        f"{field} must be at most {limit} bytes as JSON (got {size})",
        first=True,
    )
    assert not model.objects.filter(name="big").exists()


def test_json_at_its_limit_is_accepted():
    limit = json_max_bytes(AvailableModel._meta.get_field("metadata"))
    value = {"x": "a" * (limit - len('{"x":""}'))}
    assert json_size(value) == limit
    assert catalog.create({"name": "edge", "metadata": value})["metadata"] == value


def test_a_row_of_2_megabytes_is_refused():
    with pytest.raises(RegistryValidationError) as info:
        catalog.create({"name": "huge", "summary": "x" * 2_400_000, "metadata": {"a": "b" * 10**6}})
    assert set(info.value.errors) == {"summary", "metadata"}


# --- canonical names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("\uff4c\uff4c\uff41\uff4d\uff41\uff13", "llama3"),
        ("\ufb01ne-tune", "fine-tune"),
        ("qwen\u20112", "qwen-2"),
        ("qwen\u20132", "qwen-2"),
        ("phi\u2212mini", "phi-mini"),
        ("  gemma\u00a0 ", "gemma"),
    ],
)
def test_names_are_stored_in_canonical_form(engine, given, stored):
    assert canonical_name(given) == stored
    assert models.create({"name": given, "engine_id": engine["id"]})["name"] == stored
    assert engines.create({"name": given, "provider": "vllm"})["name"] == stored
    assert catalog.create({"name": given})["name"] == stored


@pytest.mark.parametrize(
    "char",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\t",
        "\n",
        "\x1b",
        "\u2800",
    ],
)
def test_invisible_and_bidi_characters_are_refused_in_names(engine, char):
    for door, payload in (
        (engines, {"provider": "ollama"}),
        (catalog, {}),
        (models, {"engine_id": engine["id"]}),
    ):
        error = expect_invalid(
            lambda door=door, payload=payload: door.create({"name": f"llama{char}3", **payload}),
            "name",
            "name must not contain invisible or bidirectional control characters",
            exact=False,
        )
        assert f"U+{ord(char):04X}" in str(error) and "position 6" in str(error)


@pytest.mark.parametrize(
    ("door", "existing", "message"),
    [
        ("engine", "Ollama-Main", 'engine name already in use (by "Ollama-Main")'),
        ("catalog", "Llama3", 'available model name already in use (by "Llama3")'),
        ("model", "Llama3", 'model name already in use (by "Llama3")'),
    ],
)
def test_names_are_unique_in_any_case(engine, door, existing, message):
    sdk, payload = {
        "engine": (engines, {"provider": "vllm"}),
        "catalog": (catalog, {}),
        "model": (models, {"engine_id": engine["id"]}),
    }[door]
    first = sdk.create({"name": existing, **payload})
    for clash in (existing.lower(), existing.upper(), f" {existing.swapcase()} "):
        expect_invalid(
            lambda clash=clash: sdk.create({"name": clash, **payload}), "name", message, first=True
        )
    other = sdk.create({"name": "other", **payload})
    expect_invalid(lambda: sdk.update(other["id"], {"name": existing.upper()}), "name", message)
    # Renaming a row to another case of its own name is not a clash.
    renamed = sdk.update(first["id"], {"name": existing.upper()})
    assert renamed["name"] == existing.upper()


def test_the_database_refuses_names_differing_only_in_case(engine):
    from django.db import IntegrityError, transaction

    Engine.objects.create(name="Foo", provider="ollama")
    with pytest.raises(IntegrityError), transaction.atomic():
        Engine.objects.create(name="foo", provider="ollama")


def test_every_ascii_character_is_hidden_exactly_when_its_category_is_refused():
    """Printable ASCII text skips the per-character walk: no refused character is printable."""
    import unicodedata

    from inventory.models.names import INVISIBLE, REFUSED_CATEGORIES, hidden_character

    for code in range(128):
        char = chr(code)
        refused = char in INVISIBLE or unicodedata.category(char) in REFUSED_CATEGORIES
        assert hidden_character(f"ab{char}") == ((2, char) if refused else None), code


@pytest.mark.parametrize(
    "value",
    [{"a": [1, 2.5, None, True]}, ["é", "\U0001f600", "\ud800"], {"n": math.nan, "i": -math.inf}],
)
def test_json_size_is_the_compact_utf8_text_drf_renders(value):
    import json

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    assert json_size(value) == len(text.encode("utf-8", "surrogatepass"))


def test_an_ascii_name_is_canonical_once_trimmed():
    import unicodedata

    from inventory.models.names import DASHES

    text = "".join(chr(code) for code in range(128))
    for value in (text, f"  {text}  ", " Llama-3 8B\t"):
        slow = unicodedata.normalize("NFKC", value).translate(DASHES).strip()
        assert canonical_name(value) == slow
