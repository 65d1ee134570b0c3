"""Admin changelists: columns, filters and search come from the list declarations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from inventory.models import KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db

CHANGELISTS = {
    "engine": ENGINES,
    "availablemodel": AVAILABLE_MODELS,
    "registeredmodel": REGISTERED_MODELS,
}


def changelist(name: str) -> str:
    return reverse(f"admin:inventory_{name}_changelist")


def shown(response, name: str) -> set[str]:
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("name", sorted(CHANGELISTS))
def test_changelist_columns_filters_and_search_follow_the_declaration(
    admin_client, make_model, catalog_model, name
):
    make_model("llama3", capabilities="chat", available_model_id=catalog_model["id"])
    response = admin_client.get(changelist(name))
    assert response.status_code == 200
    declaration = CHANGELISTS[name]
    cl = response.context["cl"]
    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert headers[1:] == [entry["label"] for entry in declaration.table_model()]
    assert [spec.parameter_name for spec in cl.list_filter] == [
        item.name
        for item in declaration.fields
        if item.name
        in {"engine_id", "available_model_id", "provider", "provider_hint", "quantization"}
        or (item.filter is not None and item.filter.type in {"choice", "boolean", "capabilities"})
    ]
    assert list(cl.search_fields) == list(declaration.search.attrs)


def test_registered_model_columns_link_engine_and_catalog(
    admin_client, make_model, engine, catalog_model
):
    make_model("nomic", capabilities="embedding,chat", available_model_id=catalog_model["id"])
    content = admin_client.get(changelist("registeredmodel")).content.decode()
    assert reverse("admin:inventory_engine_change", args=[engine["id"]]) in content
    assert reverse("admin:inventory_availablemodel_change", args=[catalog_model["id"]]) in content
    assert '<span class="capability-badge">embedding</span>' in content
    assert '<span class="capability-badge">chat</span>' in content


def test_capability_filter_matches_whole_tokens_and_combines(admin_client, make_model):
    make_model("ranker", capabilities="reranking")
    make_model("chat-only", capabilities="chat")
    make_model("chat-embed", capabilities="chat,embedding")
    url = changelist("registeredmodel")
    assert shown(admin_client.get(url, {"capabilities": "rerank"}), "") == {"ranker"}
    assert shown(admin_client.get(url, {"capabilities": "chat"}), "") == {"chat-only", "chat-embed"}
    response = admin_client.get(url, {"capabilities": "chat,embedding"})
    assert shown(response, "") == {"chat-embed"}
    # The sidebar toggles a capability in or out of the "has all" selection.
    choices = {
        choice["display"]: choice
        for spec in response.context["cl"].filter_specs
        if spec.parameter_name == "capabilities"
        for choice in spec.choices(response.context["cl"])
    }
    assert choices["chat"]["selected"] and choices["embedding"]["selected"]
    assert "capabilities=embedding" in choices["chat"]["query_string"]
    assert "capabilities=chat%2Cembedding%2Creranking" in choices["reranking"]["query_string"]


def test_rank_never_matches_reranking(admin_client, make_model):
    make_model("ranker", capabilities="reranking")
    response = admin_client.get(changelist("registeredmodel"), {"capabilities": "rank"})
    # "rank" is not a capability: the admin reports bad lookup parameters instead of a 500.
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_status_downloaded_engine_and_search_filters(admin_client, make_model, other_engine):
    make_model("a-model", status="active", is_downloaded=True, model_path="/srv/a.gguf")
    make_model("b-model", status="disabled")
    make_model("c-model", engine_id=other_engine["id"])
    url = changelist("registeredmodel")
    assert shown(admin_client.get(url, {"status": "active"}), "") == {"a-model"}
    assert shown(admin_client.get(url, {"is_downloaded": "1"}), "") == {"a-model"}
    assert shown(admin_client.get(url, {"is_downloaded": "0"}), "") == {"b-model", "c-model"}
    assert shown(admin_client.get(url, {"engine_id": other_engine["id"]}), "") == {"c-model"}
    assert shown(admin_client.get(url, {"q": "srv/a"}), "") == {"a-model"}
    assert admin_client.get(url, {"status": "sleeping"}).status_code == 302


def test_engine_and_catalog_filters(admin_client, engine, other_engine, catalog_model, sdk):
    sdk.models.available_model_registry.create({"name": "llama-gguf", "format": "gguf"})
    assert shown(admin_client.get(changelist("engine"), {"provider": "vllm"}), "") == {"vllm-test"}
    assert shown(admin_client.get(changelist("engine"), {"status": "active"}), "") == {
        "ollama-test"
    }
    catalog = changelist("availablemodel")
    assert shown(admin_client.get(catalog, {"format": "gguf"}), "") == {"llama-gguf"}
    assert shown(admin_client.get(catalog, {"capabilities": "embed"}), "") == {"nomic-embed-text"}
    assert shown(admin_client.get(catalog, {"q": "nomic"}), "") == {"nomic-embed-text"}


def test_engine_page_links_to_its_filtered_models(admin_client, make_model, engine):
    make_model("one")
    make_model("two")
    content = admin_client.get(
        reverse("admin:inventory_engine_change", args=[engine["id"]])
    ).content.decode()
    assert (
        f'{changelist("registeredmodel")}?engine_id={engine["id"]}">2 registered models' in content
    )


def test_catalog_page_links_to_its_registered_models(admin_client, make_model, catalog_model):
    make_model("one", available_model_id=catalog_model["id"])
    url = reverse("admin:inventory_availablemodel_change", args=[catalog_model["id"]])
    content = admin_client.get(url).content.decode()
    target = f"{changelist('registeredmodel')}?available_model_id={catalog_model['id']}"
    assert f'{target}">1 registered model<' in content
    assert shown(admin_client.get(target), "") == {"one"}


def test_form_labels_follow_the_declaration(admin_client, make_model):
    model = make_model("one")
    url = reverse("admin:inventory_registeredmodel_change", args=[model["id"]])
    fields = admin_client.get(url).context["adminform"].form.fields
    assert fields["vram_required_mb"].label == "VRAM (MB)"
    assert fields["available_model"].label == "Catalog model"


def test_knowledge_changelist_opens_the_one_row(admin_client):
    response = admin_client.get(changelist("knowledgesettings"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:inventory_knowledgesettings_change", args=[KnowledgeSettings.SINGLETON_ID]
    )
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert not page.context["has_add_permission"]
    assert not page.context["has_delete_permission"]


@pytest.mark.parametrize("name", sorted(CHANGELISTS))
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, engine, sdk, name
):
    def add_rows(start: int, stop: int) -> None:
        catalog = [
            sdk.models.available_model_registry.create(
                {"name": f"cat-{i}", "capabilities": "chat"}
            )["id"]
            for i in range(start, stop)
        ]
        engines = [
            sdk.models.engine_registry.create(
                {"name": f"eng-{i}", "provider": ("ollama", "vllm", "tei")[i % 3]}
            )["id"]
            for i in range(start, stop)
        ]
        for i, catalog_id in enumerate(catalog):
            RegisteredModel.objects.create(
                name=f"model-{start + i}",
                engine_id=engines[i],
                available_model_id=catalog_id,
                capabilities="chat,embedding",
            )

    # "Show all" lists up to 200 rows on one page.
    url = changelist(name) + "?all=" + "&capabilities=chat" * (name != "engine")
    add_rows(0, 10)
    admin_client.get(url)  # warm the session and content type caches
    with django_assert_max_num_queries(100) as small:
        response = admin_client.get(url)
    extra = int(name == "engine")  # the ``engine`` fixture's row
    assert len(response.context["cl"].result_list) == 10 + extra
    add_rows(10, 200 - extra)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 200


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("registeredmodel", "engine"),
        ("registeredmodel", "available_model"),
        ("knowledgesettings", "embedding_model"),
    ],
)
def test_an_autocomplete_term_with_a_nul_character_finds_nothing(
    admin_client, make_model, model, field
):
    make_model("llama3")
    params = {"app_label": "inventory", "model_name": model, "field_name": field, "term": "a\x00"}
    response = admin_client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert response.json()["results"] == []
