"""The lists' ``substring`` lookup: exactly the rows of ``icontains`` on every database, and
on PostgreSQL a trigram-index probe without the word edges a term's own separators add."""

from __future__ import annotations

import pytest
from django.db import connection

from inventory.declarations import REGISTERED_MODELS
from inventory.listing import ListRequest
from inventory.models import RegisteredModel
from inventory.substring_lookup import index_probe

from .test_postgres import plan

NAMES = [
    "llama-0001200",
    "llama-0001299",
    "llama-0012000",
    "LLAMA-3.1-8b-instruct",
    "qwen2.5:7b",
    "qwen2.5:latest",
    "mistral_7b_q4",
    "/models/phi-3",
    "models-phi",
    "50%-off",
    "under_score",
    "back\\slash",
    "Ünïcode-Qwen",
    "straße-model",
    "---",
]


@pytest.mark.parametrize(
    "term, probe",
    [
        ("-00012", "00012"),
        (":latest", "latest"),
        ("/models/", "models"),
        ("_abc_", "abc"),
        ("-a-bcd", "a-bcd"),
        ("llama", None),  # no separator at an edge
        ("llama-3", None),  # a separator inside only
        ("-7b", None),  # a core without three letters or digits in a row
        ("-a-b-", None),
        ("---", None),
        ("", None),
        ("-Ünï", "Ünï"),
    ],
)
def test_index_probe_is_the_term_without_edge_separators(term, probe):
    assert index_probe(term) == probe


def _terms() -> list[str]:
    """Every piece of two to seven characters of every name, as given and with a separator
    or a LIKE wildcard around it, and a few that match nothing."""
    pieces = {
        name[start : start + size]
        for name in NAMES
        for size in range(2, 8)
        for start in range(len(name) - size + 1)
    }
    around = {f"{edge}{piece}{edge}" for piece in pieces for edge in ("-", "%", "_")}
    return sorted(pieces | around | {"-nothing-", "%", "_", "\\", "-0001"})


@pytest.mark.django_db
def test_substring_matches_exactly_what_icontains_matches(engine):
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=name, engine_id=engine["id"]) for name in NAMES
    )
    rows = RegisteredModel.objects.all()
    probed = 0
    for term in _terms():
        expected = set(rows.filter(name__icontains=term).values_list("name", flat=True))
        found = set(rows.filter(name__substring=term).values_list("name", flat=True))
        assert found == expected, term
        probed += index_probe(term) is not None
    assert probed > 100  # the probe was compiled for many of the terms


@pytest.mark.django_db
def test_list_filters_use_the_substring_lookup(engine):
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=name, engine_id=engine["id"]) for name in NAMES
    )
    for filters in ({"name": "-0001"}, {"q": "-0001"}):
        rows = ListRequest.build(REGISTERED_MODELS, filters).filtered()
        assert sorted(rows.values_list("name", flat=True)) == ["llama-0001200", "llama-0001299"]
        assert "STRPOS" in str(rows.query) or connection.vendor != "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_probes_the_trigram_index_with_the_core(engine):
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"llama-{index:07d}", engine_id=engine["id"]) for index in range(2000)
    )
    text = plan(REGISTERED_MODELS, {"name": "-00012"})
    assert "Bitmap Index Scan on model_registry_name_trgm" in text, text
    assert "Index Cond: (upper((name)::text) ~~ '%00012%'::text)" in text, text
    assert "strpos(upper((name)::text), '-00012'::text) > 0" in text, text


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_compiles_icontains_when_there_is_nothing_to_leave_out():
    for term in ("llama", "-7b", "llama-3"):
        probed = str(RegisteredModel.objects.filter(name__substring=term).query)
        plain = str(RegisteredModel.objects.filter(name__icontains=term).query)
        assert probed == plain, term
