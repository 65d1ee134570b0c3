"""The knowledge embedding backend rules, through ``module_sdk.knowledge`` and model writes."""

from __future__ import annotations

import pytest

from inventory.models import KnowledgeSettings
from inventory.sdk import module_sdk

from .assertions import expect_invalid

pytestmark = pytest.mark.django_db

knowledge = module_sdk.knowledge
models = module_sdk.models.model_registry
KEY = "embedding_model_id"
CONFIRM_SWITCH = (
    "changing the embedding model while knowledge is enabled must be confirmed with "
    "confirm_embedding_model_change (stored vectors would no longer match)"
)


@pytest.fixture
def embedder(make_model) -> dict:
    return make_model("nomic-embed", capabilities="embedding", extra_config={"dim": 768})


@pytest.fixture
def other_embedder(make_model) -> dict:
    return make_model("bge-m3", capabilities="embedding,reranking", extra_config={"dim": 1024})


@pytest.fixture
def enabled(embedder) -> dict:
    return knowledge.update_config({"enabled": True, KEY: embedder["id"]})


def test_default_config(db):
    config = knowledge.get_config()
    assert config["enabled"] is False
    assert config[KEY] is None
    assert config["embedding_model"] is None


def test_enable_with_model(embedder, enabled):
    assert enabled["enabled"] is True
    assert enabled[KEY] == embedder["id"]
    assert enabled["dim"] == 768
    assert enabled["embedding_model"]["name"] == "nomic-embed"
    assert knowledge.get_config() == enabled


def test_enable_requires_model(db):
    expect_invalid(
        lambda: knowledge.update_config({"enabled": True}),
        KEY,
        "enabling knowledge requires an embedding model (embedding_model_id)",
        first=True,
    )
    assert knowledge.get_config()["enabled"] is False


def test_model_must_exist(db):
    expect_invalid(
        lambda: knowledge.update_config({KEY: 999999}), KEY, "embedding_model_id does not exist"
    )


def test_model_needs_embedding(make_model):
    chat = make_model("llama3", capabilities="chat")
    expect_invalid(
        lambda: knowledge.update_config({"enabled": True, KEY: chat["id"]}),
        KEY,
        "model 'llama3' does not have the embedding capability",
        first=True,
    )
    assert knowledge.get_config()[KEY] is None


def test_model_needs_dim(make_model):
    bare = make_model("e5", capabilities="embedding")
    expect_invalid(
        lambda: knowledge.update_config({KEY: bare["id"]}),
        KEY,
        "model 'e5' needs extra_config.dim (a positive integer) to be the knowledge embedding "
        "model",
        first=True,
    )


@pytest.mark.parametrize("status", ["downloading", "error", "disabled"])
def test_model_status_must_be_available_or_active(make_model, status):
    row = make_model("e5", capabilities="embedding", extra_config={"dim": 384}, status=status)
    expect_invalid(
        lambda: knowledge.update_config({"enabled": True, KEY: row["id"]}),
        KEY,
        f"model 'e5' has status {status!r}; the knowledge embedding model must be available or "
        "active",
        first=True,
    )


@pytest.mark.parametrize("status", ["available", "active"])
def test_model_status_available_or_active_accepted(make_model, status):
    row = make_model("e5", capabilities="embedding", extra_config={"dim": 384}, status=status)
    assert knowledge.update_config({"enabled": True, KEY: row["id"]})["enabled"] is True


def test_switch_model_while_enabled_needs_confirmation(enabled, embedder, other_embedder):
    expect_invalid(
        lambda: knowledge.update_config({KEY: other_embedder["id"]}), KEY, CONFIRM_SWITCH
    )
    assert knowledge.get_config()[KEY] == embedder["id"]
    config = knowledge.update_config(
        {KEY: other_embedder["id"]}, confirm_embedding_model_change=True
    )
    assert config[KEY] == other_embedder["id"]
    assert config["dim"] == 1024


def test_switch_model_while_disabled_needs_no_confirmation(embedder, other_embedder):
    knowledge.update_config({KEY: embedder["id"]})
    assert knowledge.update_config({KEY: other_embedder["id"]})[KEY] == other_embedder["id"]


def test_disable_and_reenable(enabled):
    assert knowledge.update_config({"enabled": False})["enabled"] is False
    assert knowledge.update_config({"enabled": True})["enabled"] is True


def test_unknown_knowledge_key(db):
    expect_invalid(
        lambda: knowledge.update_config({"model_id": 1}),
        "model_id",
        "unknown field 'model_id'; writable fields: enabled, embedding_model_id",
    )


def test_dim_change_of_model_in_use_needs_confirmation(enabled, embedder):
    expect_invalid(
        lambda: models.update(embedder["id"], {"extra_config": {"dim": 1024}}),
        "extra_config",
        "changing extra_config.dim of the knowledge embedding model while knowledge is enabled "
        "must be confirmed with confirm_embedding_model_change (stored vectors would no longer "
        "match)",
        first=True,
    )
    assert models.view(embedder["id"])["extra_config"] == {"dim": 768}
    row = models.update(
        embedder["id"], {"extra_config": {"dim": 1024}}, confirm_embedding_model_change=True
    )
    assert row["extra_config"] == {"dim": 1024}
    assert knowledge.get_config()["dim"] == 1024


def test_capability_change_of_model_in_use_needs_confirmation(enabled, embedder):
    expect_invalid(
        lambda: models.update(embedder["id"], {"capabilities": "embedding,reranking"}),
        "capabilities",
        "changing capabilities of the knowledge embedding model while knowledge is enabled "
        "must be confirmed with confirm_embedding_model_change (stored vectors would no longer "
        "match)",
        first=True,
    )
    row = models.update(
        embedder["id"],
        {"capabilities": "embedding,reranking"},
        confirm_embedding_model_change=True,
    )
    assert row["capabilities"] == "embedding,reranking"


def test_other_changes_of_model_in_use_need_no_confirmation(enabled, embedder):
    row = models.update(embedder["id"], {"status": "active", "extra_config": {"dim": 768}})
    assert row["status"] == "active"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"capabilities": "reranking", "extra_config": {}}, "capabilities"),
        ({"extra_config": {}}, "extra_config"),
    ],
)
def test_model_in_use_keeps_embedding_and_dim(embedder, payload, field):
    knowledge.update_config({KEY: embedder["id"]})
    expect_invalid(
        lambda: models.update(embedder["id"], payload, confirm_embedding_model_change=True),
        field,
        "this model is the knowledge embedding backend: it must keep the embedding capability "
        "and a positive integer extra_config.dim",
    )
    assert models.view(embedder["id"])["extra_config"] == {"dim": 768}


@pytest.mark.parametrize("enable", [True, False])
def test_model_in_use_cannot_be_deleted(embedder, enable):
    knowledge.update_config({"enabled": enable, KEY: embedder["id"]})
    expect_invalid(
        lambda: models.delete(embedder["id"]),
        "__all__",
        "model 'nomic-embed' is the knowledge embedding model and cannot be deleted; select "
        "another embedding model or clear the selection first",
        first=True,
        error_type=module_sdk.ProtectedError,
    )
    assert models.view(embedder["id"]) is not None


def test_model_deletable_once_unselected(embedder):
    knowledge.update_config({KEY: embedder["id"]})
    knowledge.update_config({KEY: None})
    assert models.delete(embedder["id"]) is True


def test_failed_knowledge_update_writes_nothing(enabled, make_model, embedder):
    chat = make_model("llama3", capabilities="chat")
    with pytest.raises(module_sdk.ValidationError):
        knowledge.update_config({"enabled": False, KEY: chat["id"]})
    settings = KnowledgeSettings.objects.get()
    assert settings.enabled is True
    assert settings.embedding_model_id == embedder["id"]
