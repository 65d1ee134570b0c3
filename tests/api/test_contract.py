"""One contract, two doors: every case runs against the in-process SDK and against
``RegistryClient`` over real HTTP (the live test server), and the results must be identical:
rows (timestamps included), envelopes, return values, exception types, messages and fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from inventory.client import RegistryClient
from inventory.errors import RegistryProtectedError, RegistryValidationError
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db(transaction=True)

ENTITIES = ("engine_registry", "available_model_registry", "model_registry")


@dataclass
class Inventory:
    engine: dict
    other_engine: dict
    catalog: dict
    llama: dict
    embedder: dict
    reranker: dict


@pytest.fixture
def inventory(engine, other_engine, catalog_model, make_model) -> Inventory:
    llama = make_model(
        "llama3",
        capabilities=["chat", "tool_calling"],
        model_path="models/llama3/model.gguf",
        vram_required_mb=6000,
        is_downloaded=1,
        status="active",
    )
    embedder = make_model(
        "nomic-embed",
        capabilities="embed",
        available_model_id=catalog_model["id"],
        extra_config={"dim": 768},
        ram_required_mb=512,
    )
    reranker = module_sdk.models.model_registry.create(
        {"name": "bge-reranker", "engine_id": other_engine["id"], "capabilities": "rerank"}
    )
    return Inventory(engine, other_engine, catalog_model, llama, embedder, reranker)


def outcome(call: Callable[[], Any]) -> tuple:
    """A comparable result: the value, or the exception's type, message and fields."""
    try:
        return ("ok", call())
    except RegistryProtectedError as error:
        return ("protected", str(error), error.errors)
    except RegistryValidationError as error:
        return ("invalid", str(error), error.errors)


@pytest.fixture
def same(http_client: RegistryClient) -> Callable[[Callable[[Any], Any]], tuple]:
    """Run ``case(door)`` with the SDK and with the HTTP client; both must agree."""

    def run(case: Callable[[Any], Any]) -> tuple:
        expected = outcome(lambda: case(module_sdk))
        actual = outcome(lambda: case(http_client))
        assert actual == expected
        return expected

    return run


# --- reads ---------------------------------------------------------------------------------

M = "model_registry"

LIST_CASES: dict[str, Callable[[Any, Inventory], Any]] = {
    "default page": lambda d, i: d.models[M].list(),
    "second page sorted desc": lambda d, i: d.models[M].list(page=1, page_size=2, sort="-name"),
    "sort dict": lambda d, i: d.models[M].list(
        sort={"field": "vram_required_mb", "direction": "desc"}
    ),
    "sort pair": lambda d, i: d.models[M].list(sort=("name", "asc")),
    "sort dict with a minus": lambda d, i: d.models[M].list(sort={"field": "-name"}),
    "sort dict with a minus and a direction": lambda d, i: d.models[M].list(
        sort={"field": "-name", "direction": "asc"}
    ),
    "page size clamped low": lambda d, i: d.models[M].list(page_size=0),
    "page size clamped high": lambda d, i: d.models[M].list(page_size=5000),
    "page past the end": lambda d, i: d.models[M].list(page=9, page_size=2),
    "engine_id": lambda d, i: d.models[M].list(filters={"engine_id": i.engine["id"]}),
    "engine_id as text": lambda d, i: d.models[M].list(filters={"engine_id": str(i.engine["id"])}),
    "one-item id list": lambda d, i: d.models[M].list(filters={"id": [i.llama["id"]]}),
    "id list": lambda d, i: d.models[M].list(filters={"id": [i.llama["id"], i.reranker["id"]]}),
    "id csv": lambda d, i: d.models[M].list(filters={"id": f"{i.llama['id']},{i.embedder['id']}"}),
    "status": lambda d, i: d.models[M].list(filters={"status": "available"}),
    "status list": lambda d, i: d.models[M].list(filters={"status": ["active", "available"]}),
    "one-item status list": lambda d, i: d.models[M].list(filters={"status": ["active"]}),
    "empty id list": lambda d, i: d.models[M].list(filters={"id": []}),
    "empty status list": lambda d, i: d.models[M].list(filters={"status": ()}),
    "empty capabilities list": lambda d, i: d.models[M].list(filters={"capabilities": []}),
    "capabilities aliases": lambda d, i: d.models[M].list(filters={"capabilities": ["embed"]}),
    "capabilities all of": lambda d, i: d.models[M].list(
        filters={"capabilities": ["chat", "tool-calling"]}
    ),
    "rank is not reranking": lambda d, i: d.models[M].list(filters={"capabilities": "ranking"}),
    "is_downloaded true": lambda d, i: d.models[M].list(filters={"is_downloaded": True}),
    "is_downloaded 0": lambda d, i: d.models[M].list(filters={"is_downloaded": 0}),
    "search": lambda d, i: d.models[M].list(filters={"q": "LLAMA"}),
    "empty filter dropped": lambda d, i: d.models[M].list(filters={"name": "", "status": None}),
    "catalog link": lambda d, i: d.models[M].list(filters={"available_model_id": i.catalog["id"]}),
    "engines by provider": lambda d, i: d.models["engine_registry"].list(
        filters={"provider": "OLLAMA"}, sort="name"
    ),
    "engines supported": lambda d, i: d.models["engine_registry"].list(
        filters={"supported": "false"}
    ),
    "catalog by format": lambda d, i: d.models["available_model_registry"].list(
        filters={"format": "remote", "capabilities": "embedding"}
    ),
    "unknown filter": lambda d, i: d.models[M].list(filters={"bogus": 1}),
    "bad id": lambda d, i: d.models[M].list(filters={"id": "x"}),
    "bad status": lambda d, i: d.models[M].list(filters={"status": "sleeping"}),
    "bad capability": lambda d, i: d.models[M].list(filters={"capabilities": "telepathy"}),
    "bad boolean": lambda d, i: d.models[M].list(filters={"is_downloaded": "maybe"}),
    "bad sort": lambda d, i: d.models[M].list(sort="model_path"),
    "bad direction": lambda d, i: d.models[M].list(sort={"field": "name", "direction": "up"}),
    "negative page": lambda d, i: d.models[M].list(page=-1),
    "bad page": lambda d, i: d.models[M].list(page="first"),
    "bad page size": lambda d, i: d.models[M].list(page_size="lots"),
    "bad page type": lambda d, i: d.models[M].list(page=1.0),
    "bad page flag": lambda d, i: d.models[M].list(page=True),
    "bad page size type": lambda d, i: d.models[M].list(page_size=2.5),
    "bad sort type": lambda d, i: d.models[M].list(sort=123),
    "bad sort list": lambda d, i: d.models[M].list(sort=["name"]),
    "bad filters type": lambda d, i: d.models[M].list(filters="name=x"),
    "unknown filter named page": lambda d, i: d.models[M].list(filters={"page": 2}),
    "unknown filter named sort": lambda d, i: d.models[M].list(filters={"sort": "name"}),
    "unknown filter named direction": lambda d, i: d.models[M].list(filters={"direction": "desc"}),
}

OTHER_READS: dict[str, Callable[[Any, Inventory], Any]] = {
    "all": lambda d, i: d.models[M].all(filters={"engine_id": i.engine["id"]}, sort="-id"),
    "all of nothing": lambda d, i: d.models[M].all(filters={"name": "no such model"}),
    "all with a bad filter": lambda d, i: d.models[M].all(filters={"nope": 1}),
    "count": lambda d, i: d.models[M].count({"capabilities": "chat"}),
    "count all": lambda d, i: d.models["engine_registry"].count(),
    "count with a bad filter": lambda d, i: d.models[M].count({"status": "x"}),
    "view": lambda d, i: d.models[M].view(i.embedder["id"]),
    "view missing": lambda d, i: d.models[M].view(987654),
    "view bad id": lambda d, i: d.models[M].view("abc"),
    "view empty id": lambda d, i: d.models[M].view(""),
    "view id with a slash": lambda d, i: d.models[M].view(f"{i.llama['id']}/2"),
    "view boolean id": lambda d, i: d.models[M].view(True),
    "view float id": lambda d, i: d.models[M].view(1.0),
    "view no id": lambda d, i: d.models[M].view(None),
    "view id out of range": lambda d, i: d.models[M].view(2**70),
    "view id as padded text": lambda d, i: d.models[M].view(f" {i.llama['id']} "),
    "view engine": lambda d, i: d.models["engine_registry"].view(i.engine["id"]),
    "view catalog": lambda d, i: d.models["available_model_registry"].view(i.catalog["id"]),
    "knowledge": lambda d, i: d.knowledge.get_config(),
    "capabilities": lambda d, i: d.capabilities.describe(),
    "capability vocabulary": lambda d, i: (d.capabilities.vocabulary, d.capabilities.aliases),
    "normalize capabilities": lambda d, i: d.capabilities.normalize(" Embed, Rerank,embed"),
    "normalize unknown capability": lambda d, i: d.capabilities.normalize("chat,telepathy"),
    "normalize a number": lambda d, i: d.capabilities.normalize(7),
    "runtime methods": lambda d, i: d.capabilities.runtime_methods(["tts", "completion"]),
    "extra_config schema": lambda d, i: d.capabilities.extra_config_schema("embedding,chat"),
    "extra_config schemas": lambda d, i: d.capabilities.extra_config_schemas(),
    **{
        f"{name} table_model": (lambda d, i, name=name: d.models[name].table_model())
        for name in ENTITIES
    },
    **{
        f"{name} filters_model": (lambda d, i, name=name: d.models[name].filters_model())
        for name in ENTITIES
    },
    **{f"{name} list": (lambda d, i, name=name: d.models[name].list()) for name in ENTITIES},
}


def run_cases(same, inventory, cases: dict) -> dict[str, tuple]:
    """Run every case through both doors (one live server and database set-up for all of
    them); report every disagreement at once."""
    results, mismatches = {}, []
    for name, case in cases.items():
        try:
            results[name] = same(lambda door, case=case: case(door, inventory))
        except AssertionError as error:
            mismatches.append(f"{name}: {error}")
    assert not mismatches, "\n\n".join(mismatches)
    return results


def test_lists_agree(same, inventory):
    results = run_cases(same, inventory, LIST_CASES)
    one_item = results["one-item id list"][1]
    assert one_item["filters"] == {"id": [inventory.llama["id"]]}
    assert [row["id"] for row in one_item["rows"]] == [inventory.llama["id"]]
    assert results["one-item status list"][1]["filters"] == {"status": ["active"]}
    assert results["empty id list"][1]["total_rows"] == 0
    assert results["empty capabilities list"][1]["total_rows"] == 3
    assert results["capabilities aliases"][1]["filters"] == {"capabilities": "embedding"}
    assert results["page size clamped high"][1]["page_size"] == 200
    assert results["rank is not reranking"][1]["total_rows"] == 1
    kind, message, errors = results["unknown filter"]
    assert kind == "invalid" and "bogus" in errors and "unknown filter" in message
    assert results["unknown filter named sort"][1].startswith("unknown filter 'sort'")
    failures = [name for name, result in results.items() if result[0] != "ok"]
    assert failures == [name for name in LIST_CASES if name.startswith(("unknown", "bad", "neg"))]


def test_reads_agree(same, inventory):
    results = run_cases(same, inventory, OTHER_READS)
    assert results["view missing"] == ("ok", None)
    assert results["view bad id"][0] == "invalid"
    for name in OTHER_READS:
        if name.startswith("view") and ("id" in name.split()[-1] or name == "view no id"):
            expected = "ok" if name == "view id as padded text" else "invalid"
            assert results[name][0] == expected, name
    assert results["count"] == ("ok", 1)


def test_reads_return_real_rows(same, inventory):
    kind, row = same(lambda door: door.models[M].view(inventory.llama["id"]))
    assert kind == "ok"
    assert row == inventory.llama
    assert row["runtime_methods"] == ["generate_completion", "generate_stream"]
    assert row["created_at"] and row["updated_at"]


# --- refused writes: same error, nothing changes -------------------------------------------

REFUSED: dict[str, Callable[[Any, Inventory], Any]] = {
    "create nothing": lambda d, i: d.models[M].create({}),
    "create without engine": lambda d, i: d.models[M].create({"name": "x"}),
    "create duplicate": lambda d, i: d.models[M].create(
        {"name": "llama3", "engine_id": i.engine["id"]}
    ),
    "create on missing engine": lambda d, i: d.models[M].create({"name": "x", "engine_id": 99999}),
    "create with missing catalog row": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "available_model_id": 99999}
    ),
    "create with unknown capability": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "capabilities": "chat,telepathy"}
    ),
    "create with misplaced dim": lambda d, i: d.models[M].create(
        {
            "name": "x",
            "engine_id": i.engine["id"],
            "capabilities": "chat",
            "extra_config": {"dim": 3},
        }
    ),
    "create with LLM defaults on an embedder": lambda d, i: d.models[M].create(
        {
            "name": "x",
            "engine_id": i.engine["id"],
            "capabilities": "embedding",
            "extra_config": {"defaults": {"temperature": 0.2}},
        }
    ),
    "create with negative VRAM": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "vram_required_mb": -1}
    ),
    "create with unknown field": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "colour": "red"}
    ),
    "create from a list": lambda d, i: d.models[M].create([1, 2]),
    "create from nothing": lambda d, i: d.models[M].create(None),
    "create with NaN": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "extra_config": {"dim": float("nan")}}
    ),
    "create with infinite VRAM": lambda d, i: d.models[M].create(
        {"name": "x", "engine_id": i.engine["id"], "vram_required_mb": float("inf")}
    ),
    "create engine without provider": lambda d, i: d.models["engine_registry"].create(
        {"name": "x"}
    ),
    "create duplicate engine": lambda d, i: d.models["engine_registry"].create(
        {"name": "ollama-test", "provider": "ollama"}
    ),
    "create engine with bad config": lambda d, i: d.models["engine_registry"].create(
        {"name": "x", "provider": "vllm", "config": [1]}
    ),
    "create catalog row without name": lambda d, i: d.models["available_model_registry"].create({}),
    "create catalog row with bad status": lambda d, i: d.models["available_model_registry"].create(
        {"name": "x", "status": "lost"}
    ),
    "update with bad status": lambda d, i: d.models[M].update(i.llama["id"], {"status": "gone"}),
    "update to a taken name": lambda d, i: d.models[M].update(
        i.llama["id"], {"name": "bge-reranker"}
    ),
    "update missing": lambda d, i: d.models[M].update(987654, {"status": "active"}),
    "update bad id": lambda d, i: d.models[M].update("abc", {"status": "active"}),
    "update empty id": lambda d, i: d.models[M].update("", {"status": "active"}),
    "update with nothing": lambda d, i: d.models[M].update(i.llama["id"], None),
    "update from a list": lambda d, i: d.models[M].update(i.llama["id"], ["status"]),
    "update engine missing": lambda d, i: d.models["engine_registry"].update(987654, {}),
    "delete missing": lambda d, i: d.models[M].delete(987654),
    "delete bad id": lambda d, i: d.models[M].delete("abc"),
    "delete boolean id": lambda d, i: d.models[M].delete(True),
    "delete empty id": lambda d, i: d.models[M].delete(""),
    "delete engine in use": lambda d, i: d.models["engine_registry"].delete(i.engine["id"]),
    "knowledge enabled without model": lambda d, i: d.knowledge.update_config({"enabled": True}),
    "knowledge model without embedding": lambda d, i: d.knowledge.update_config(
        {"embedding_model_id": i.llama["id"]}
    ),
    "knowledge missing model": lambda d, i: d.knowledge.update_config(
        {"embedding_model_id": 987654}
    ),
    "knowledge unknown key": lambda d, i: d.knowledge.update_config({"dim": 3}),
    "knowledge from nothing": lambda d, i: d.knowledge.update_config(None),
    "knowledge from a list": lambda d, i: d.knowledge.update_config([]),
    "knowledge bad confirmation": lambda d, i: d.knowledge.update_config(
        {}, confirm_embedding_model_change="perhaps"
    ),
}


def snapshot() -> dict:
    return {
        **{name: module_sdk.models[name].all() for name in ENTITIES},
        "knowledge": module_sdk.knowledge.get_config(),
    }


def test_refused_writes_agree(same, inventory):
    before = snapshot()

    def unchanged(door: Any, inventory: Inventory, case: Callable = lambda d, i: None) -> Any:
        result = case(door, inventory)
        assert snapshot() == before
        return result

    cases = {
        name: (lambda d, i, case=case: unchanged(d, i, case)) for name, case in REFUSED.items()
    }
    results = run_cases(same, inventory, cases)
    for name, (kind, *details) in results.items():
        if name in ("update missing", "update engine missing"):
            assert (kind, details) == ("ok", [None]), name
        elif name == "delete missing":
            assert (kind, details) == ("ok", [False]), name
        elif name == "delete engine in use":
            assert kind == "protected", name
        else:
            assert kind == "invalid", name
    assert results["create duplicate"][1] == 'model name already in use (by "llama3")'
    assert results["create nothing"][1] == "name and engine_id are required"


def test_protected_embedding_model_agrees(same, inventory):
    module_sdk.knowledge.update_config(
        {"enabled": True, "embedding_model_id": inventory.embedder["id"]}
    )
    kind, message, _ = same(lambda door: door.models[M].delete(inventory.embedder["id"]))
    assert kind == "protected" and "knowledge embedding model" in message
    kind, message, _ = same(
        lambda door: door.models[M].update(inventory.embedder["id"], {"extra_config": {"dim": 3}})
    )
    assert kind == "invalid" and "confirm_embedding_model_change" in message
    assert module_sdk.models[M].view(inventory.embedder["id"])["extra_config"] == {"dim": 768}


# --- successful writes ---------------------------------------------------------------------

PAYLOADS: dict[str, Callable[[Inventory], dict]] = {
    "engine_registry": lambda i: {
        "provider": " LlamaCpp ",
        "config": {"port": 8080},
        "status": "installed",
        "supported": True,
    },
    "available_model_registry": lambda i: {
        "capabilities": "chat, Tool-Calling",
        "format": "gguf",
        "tags": ["a", " b", "a"],
        "artifacts": [{"file": "x.gguf"}],
        "extra_config": {"defaults": {"temperature": 0.5}},
    },
    "model_registry": lambda i: {
        "engine_id": i.other_engine["id"],
        "available_model_id": i.catalog["id"],
        "capabilities": ["embeddings", "offline"],
        "extra_config": {"dim": 1024},
        "is_downloaded": 1,
        "vram_required_mb": 100,
    },
}
UPDATES: dict[str, dict] = {
    "engine_registry": {"status": "active", "config": {}},
    "available_model_registry": {"status": "downloading", "tags": "x,y"},
    "model_registry": {"status": "disabled", "capabilities": "embedding", "ram_required_mb": 7},
}
VARYING = ("id", "name", "label", "created_at", "updated_at")


def _stable(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in VARYING}


@pytest.mark.parametrize("name", ENTITIES)
def test_writes_agree(http_client, inventory, name):
    sdk, http = module_sdk.models[name], http_client.models[name]
    payload = PAYLOADS[name](inventory)

    by_sdk = sdk.create({**payload, "name": "made-by-sdk"})
    by_http = http.create({**payload, "name": "made-by-http"})
    assert _stable(by_http) == _stable(by_sdk)
    assert by_http["name"] == "made-by-http"
    assert http.view(by_sdk["id"]) == by_sdk
    assert sdk.view(by_http["id"]) == by_http

    updated_sdk = sdk.update(by_sdk["id"], UPDATES[name])
    updated_http = http.update(by_http["id"], UPDATES[name])
    assert _stable(updated_http) == _stable(updated_sdk)
    assert sdk.view(by_http["id"]) == updated_http
    assert http.view(by_sdk["id"]) == updated_sdk

    assert http.delete(by_sdk["id"]) is True
    assert sdk.delete(by_http["id"]) is True
    assert sdk.view(by_sdk["id"]) is None
    assert http.view(by_http["id"]) is None
    assert http.delete(by_sdk["id"]) is False


def test_knowledge_writes_agree(http_client, inventory):
    enable = {"enabled": True, "embedding_model_id": inventory.embedder["id"]}
    assert http_client.knowledge.update_config(enable) == module_sdk.knowledge.get_config()
    second = module_sdk.models[M].create(
        {
            "name": "second-embedder",
            "engine_id": inventory.engine["id"],
            "capabilities": "embedding",
            "extra_config": {"dim": 384},
        }
    )
    switch = {"embedding_model_id": second["id"]}
    with pytest.raises(RegistryValidationError) as refused:
        http_client.knowledge.update_config(switch)
    with pytest.raises(RegistryValidationError) as refused_sdk:
        module_sdk.knowledge.update_config(switch)
    assert refused.value.errors == refused_sdk.value.errors
    config = http_client.knowledge.update_config(switch, confirm_embedding_model_change=True)
    assert config == module_sdk.knowledge.get_config()
    assert config["embedding_model"] == second and config["dim"] == 384
    disabled = http_client.knowledge.update_config({"enabled": False})
    assert disabled == module_sdk.knowledge.get_config()
    assert disabled["enabled"] is False
