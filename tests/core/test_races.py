"""PostgreSQL races that used to end in a 500 or in a lie: concurrent deletes of one row (only
one caller is told it deleted it), selecting the knowledge model while it is deleted, and
concurrent creates of one name in different cases (exactly one wins)."""

from __future__ import annotations

import pytest

from inventory.models import KnowledgeSettings, RegisteredModel
from inventory.sdk import module_sdk

from .test_postgres import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 10
DELETE = module_sdk.models.model_registry.delete


def kinds(results: list[tuple[str, object]]) -> list[str]:
    """``ok``/``invalid``/``protected`` per call; a crash fails the test with its error."""
    crashes = [value for kind, value in results if kind == "crash"]
    assert crashes == []
    return [
        "protected" if isinstance(value, module_sdk.ProtectedError) else kind
        for kind, value in results
    ]


def test_concurrent_sdk_deletes_of_one_row_tell_one_caller(engine):
    for round_ in range(ROUNDS):
        row = module_sdk.models.model_registry.create(
            {"name": f"doomed-{round_}", "engine_id": engine["id"]}
        )
        results = run_together([lambda pk=row["id"]: DELETE(pk)] * THREADS)
        assert sorted(value for _, value in results) == [False] * (THREADS - 1) + [True]
        assert not RegisteredModel.objects.filter(pk=row["id"]).exists()


def test_selecting_the_knowledge_model_while_it_is_deleted(make_model):
    """Either the delete wins (the selection is refused: the model does not exist) or the
    selection wins (the delete is refused: the model is in use); never a 500."""
    outcomes = set()
    for round_ in range(2 * ROUNDS):
        KnowledgeSettings.objects.update(embedding_model=None, enabled=False)
        model = make_model(f"embedder-{round_}", capabilities="embedding", extra_config={"dim": 8})
        results = run_together(
            [
                lambda pk=model["id"]: module_sdk.knowledge.update_config(
                    {"embedding_model_id": pk}
                ),
                lambda pk=model["id"]: DELETE(pk),
            ]
        )
        (_, selected), (_, deleted) = results
        outcome = tuple(kinds(results))
        outcomes.add(outcome)
        chosen = KnowledgeSettings.load().embedding_model_id
        if outcome == ("ok", "protected"):
            assert chosen == model["id"]
            assert "is the knowledge embedding model" in str(deleted)
        else:
            assert outcome == ("invalid", "ok"), results
            assert deleted is True and chosen is None
            assert selected.errors == {"embedding_model_id": ["embedding_model_id does not exist"]}
    assert outcomes <= {("ok", "protected"), ("invalid", "ok")}


@pytest.mark.parametrize(
    ("sdk_name", "payload", "message"),
    [
        ("engine_registry", {"provider": "ollama"}, "engine name already in use"),
        ("available_model_registry", {}, "available model name already in use"),
        ("model_registry", None, "model name already in use"),
    ],
)
def test_concurrent_creates_of_one_name_in_different_cases(engine, sdk_name, payload, message):
    door = getattr(module_sdk.models, sdk_name)
    payload = {"engine_id": engine["id"]} if payload is None else payload
    names = ["Foo", "foo", "FOO", "fOo", "Foo", "foo", "\uff26oo", "FoO"]
    results = run_together(
        [lambda name=name: door.create({"name": name, **payload}) for name in names]
    )
    assert kinds(results).count("ok") == 1
    winner = next(value for kind, value in results if kind == "ok")["name"]
    for kind, value in results:
        if kind == "invalid":
            assert value.errors == {"name": [f'{message} (by "{winner}")']}
    assert door.count({"name": winner}) == 1
