"""A capability or provider added by an administrator in the admin is accepted at once by
every door (SDK, API, pages, import), listed and filterable; its removal is refused while
rows use it, and once removed it is refused again everywhere."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from inventory.errors import RegistryValidationError
from inventory.models import ApiToken, RegisteredModel, VocabularyTerm
from inventory.workflows.transfer import import_inventory

pytestmark = pytest.mark.django_db

ADD_TERM = reverse("admin:inventory_vocabularyterm_add")


def page_form(engine_id: int, name: str, capabilities: list[str]) -> dict:
    return {
        "name": name,
        "engine": str(engine_id),
        "available_model": "",
        "model_path": "",
        "vram_required_mb": "0",
        "ram_required_mb": "0",
        "remote_url": "",
        "version": "",
        "capabilities": capabilities,
        "extra_config": "{}",
        "status": "available",
    }


def import_document(name: str, capabilities: str) -> str:
    return json.dumps(
        {
            "format": "model-registry-inventory",
            "version": 1,
            "catalog": [{"name": name, "capabilities": capabilities}],
        }
    )


def every_door_accepts(sdk, admin_client, api, engine, token: str) -> list[str]:
    """Create a row with the capability through each door; the names created."""
    sdk.models.model_registry.create(
        {"name": "sdk", "engine_id": engine["id"], "capabilities": token}
    )
    response = api.post(
        "/api/v1/model-registry/",
        {"name": "api", "engine_id": engine["id"], "capabilities": [token]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    page = admin_client.post("/models/new/", page_form(engine["id"], "page", [token]))
    assert page.status_code == 302, page.content.decode()[:2000]
    report = import_inventory(import_document("imported", token), apply=True)
    assert report["counts"]["catalog"]["created"] == 1, report
    return ["api", "page", "sdk"]


def test_capability_added_in_the_admin_works_in_every_door(sdk, admin_client, admin_user, engine):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(admin_user, 'tests')[1]}")
    with pytest.raises(RegistryValidationError, match="unknown capability 'dance'"):
        every_door_accepts(sdk, admin_client, api, engine, "dance")

    response = admin_client.post(
        ADD_TERM, {"kind": "capability", "name": "dance", "label": "Dancing", "description": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert every_door_accepts(sdk, admin_client, api, engine, "dance") == sorted(
        RegisteredModel.objects.filter(capabilities="dance").values_list("name", flat=True)
    )
    assert sdk.capabilities.describe()["capabilities"][-1] == "dance"
    assert api.get("/api/v1/capabilities/").json()["capabilities"][-1] == "dance"
    assert sdk.models.available_model_registry.count({"capabilities": "dance"}) == 1
    assert api.get("/api/v1/model-registry/", {"capabilities": "dance"}).json()["total_rows"] == 3
    sdk.models.model_registry.create({"name": "other", "engine_id": engine["id"]})
    page = admin_client.get("/models/", {"capabilities": "dance"}).content.decode()
    assert all(f">{name}<" in page for name in ("sdk", "api", "page"))
    assert ">other<" not in page
    changelist = admin_client.get(
        reverse("admin:inventory_registeredmodel_changelist"), {"capabilities": "dance"}
    )
    assert sorted(str(row) for row in changelist.context["cl"].result_list) == [
        "api",
        "page",
        "sdk",
    ]
    assert "?capabilities=dance" in changelist.content.decode()  # offered in the sidebar

    term = VocabularyTerm.objects.get(kind="capability", name="dance")
    delete_url = reverse("admin:inventory_vocabularyterm_delete", args=[term.pk])
    confirm = admin_client.get(delete_url)
    assert "capability &#x27;dance&#x27; is still used by" in confirm.content.decode()
    admin_client.post(delete_url, {"post": "yes"})
    assert VocabularyTerm.objects.filter(pk=term.pk).exists()

    RegisteredModel.objects.all().delete()
    sdk.models.available_model_registry.delete(
        sdk.models.available_model_registry.all({"name": "imported"})["rows"][0]["id"]
    )
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not VocabularyTerm.objects.filter(pk=term.pk).exists()
    with pytest.raises(RegistryValidationError, match="unknown capability 'dance'"):
        every_door_accepts(sdk, admin_client, api, engine, "dance")


def test_provider_added_in_the_admin_is_accepted_at_once(sdk, admin_client):
    with pytest.raises(RegistryValidationError, match="unknown provider 'acme-rt'"):
        sdk.models.engine_registry.create({"name": "e", "provider": "acme-rt"})
    response = admin_client.post(
        ADD_TERM, {"kind": "provider", "name": "acme_rt", "label": "", "description": ""}
    )
    assert response.status_code == 302
    assert sdk.models.engine_registry.create({"name": "e", "provider": "ACME-RT"})["provider"] == (
        "acme_rt"
    )


def test_built_in_terms_are_read_only_in_the_admin(admin_client):
    chat = VocabularyTerm.objects.get(kind="capability", name="chat")
    change = admin_client.get(reverse("admin:inventory_vocabularyterm_change", args=[chat.pk]))
    assert change.status_code == 200
    assert 'name="name"' not in change.content.decode()
    delete = admin_client.get(reverse("admin:inventory_vocabularyterm_delete", args=[chat.pk]))
    assert delete.status_code == 403
    bad = admin_client.post(ADD_TERM, {"kind": "capability", "name": "Vision", "label": ""})
    assert bad.status_code == 200
    assert "already an alias of the capability" in bad.content.decode()


def test_alias_added_in_the_admin_is_accepted_at_once(sdk, admin_client):
    llamacpp = VocabularyTerm.objects.get(kind="provider", name="llamacpp")
    response = admin_client.post(
        reverse("admin:inventory_vocabularyalias_add"),
        {"alias": "Llama CPP Server", "term": llamacpp.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = sdk.models.engine_registry.create({"name": "e", "provider": "llama-cpp-server"})
    assert row["provider"] == "llamacpp"
    clash = admin_client.post(
        reverse("admin:inventory_vocabularyalias_add"), {"alias": "vllm", "term": llamacpp.pk}
    )
    assert clash.status_code == 200
    assert "&#x27;vllm&#x27; is already a known provider" in clash.content.decode()


def test_term_changelist_lists_aliases_in_constant_queries(
    admin_client, django_assert_max_num_queries
):
    url = reverse("admin:inventory_vocabularyterm_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client.get(url, {"kind": "provider"}).content.decode()  # 100 rows
    assert "llama.cpp, llama_cpp" in page
