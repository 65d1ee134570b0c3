"""The governed vocabularies over the REST API and the HTTP client (real HTTP against a live
server): listing, adding and removing terms and aliases, permissions, and the client's local
pre-checks following the server's live vocabulary."""

from __future__ import annotations

import pytest

from inventory.errors import RegistryProtectedError, RegistryValidationError
from inventory.vocabularies import CAPABILITY, PROVIDER

pytestmark = pytest.mark.django_db

TERMS = "/api/v1/vocabulary/terms/"
ALIASES = "/api/v1/vocabulary/aliases/"


def test_add_use_filter_and_remove_a_capability(api, engine):
    response = api.post(TERMS, {"kind": "capability", "name": "dance"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "dance"
    created = api.post(
        "/api/v1/model-registry/",
        {"name": "m", "engine_id": engine["id"], "capabilities": "chat,dance"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    described = api.get("/api/v1/capabilities/").json()
    assert described["capabilities"][-1] == "dance"
    assert described["vocabularies"]["capability"]["terms"][-1] == "dance"
    listed = api.get("/api/v1/model-registry/", {"capabilities": "dance"}).json()
    assert [row["name"] for row in listed["rows"]] == ["m"]
    assert [row["name"] for row in api.get(TERMS, {"kind": "capability"}).json()][-1] == "dance"

    refused = api.delete(f"{TERMS}capability/dance/")
    assert refused.status_code == 409
    assert "still used by 1 registered models" in refused.json()["detail"]
    assert api.delete(f"/api/v1/model-registry/{created.json()['id']}/").status_code == 204
    assert api.delete(f"{TERMS}capability/dance/").status_code == 204
    assert api.delete(f"{TERMS}capability/dance/").status_code == 404
    again = api.get("/api/v1/model-registry/", {"capabilities": "dance"})
    assert again.status_code == 400
    assert again.json()["detail"].startswith("unknown capability 'dance'")


def test_aliases_and_errors(api):
    response = api.post(
        ALIASES, {"kind": "provider", "alias": "olama", "term": "ollama"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "kind": "provider",
        "alias": "olama",
        "term": "ollama",
        "built_in": False,
    }
    assert {"alias": "olama", "term": "ollama"}.items() <= api.get(
        ALIASES, {"kind": "provider"}
    ).json()[-1].items()
    bad = api.post(TERMS, {"kind": "provider", "name": "Ollama"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {
        "detail": "'ollama' is already a known provider",
        "errors": {"name": ["'ollama' is already a known provider"]},
    }
    assert api.delete(f"{ALIASES}capability/vision/").status_code == 409
    assert api.delete(f"{ALIASES}provider/olama/").status_code == 204
    unknown = api.get(TERMS, {"colour": "red"})
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "unknown parameter 'colour'; known parameters: kind"


def test_permissions(client_for, make_user):
    reader = client_for(make_user("reader"))
    assert reader.get(TERMS).status_code == 200
    assert reader.post(TERMS, {"kind": "format", "name": "blob"}, format="json").status_code == 403
    assert reader.delete(f"{TERMS}format/gguf/").status_code == 403
    assert client_for(None).get(TERMS).status_code in (401, 403)
    writer = client_for(make_user("writer", "inventory.add_vocabularyterm"))
    assert writer.post(TERMS, {"kind": "format", "name": "blob"}, format="json").status_code == 201
    assert writer.delete(f"{TERMS}format/blob/").status_code == 403


def test_http_client_follows_the_live_vocabulary(http_client, sdk):
    capabilities = http_client.capabilities
    with pytest.raises(RegistryValidationError, match="unknown capability 'dance'"):
        capabilities.normalize("dance")
    assert capabilities.vocabulary == tuple(CAPABILITY.built_in)
    # Added on the server (by someone else): the client's next pre-check accepts it.
    sdk.vocabulary.add_term({"kind": "capability", "name": "dance"})
    assert capabilities.normalize("chat, Dance") == "chat,dance"
    assert capabilities.vocabulary[-1] == "dance"
    assert capabilities.normalize_term("provider", "llama.cpp") == "llamacpp"
    with pytest.raises(RegistryValidationError) as refused:
        capabilities.normalize_term("provider", "olama")
    assert str(refused.value) == "unknown provider 'olama'; known providers: " + ", ".join(
        PROVIDER.built_in
    )

    vocabulary = http_client.vocabulary
    added = vocabulary.add_alias({"kind": "capability", "alias": "ballet", "term": "dance"})
    assert added["term"] == "dance"
    assert capabilities.normalize("ballet") == "dance"
    assert vocabulary.terms("capability")[-1]["aliases"] == ["ballet"]
    assert vocabulary.aliases("capability")[-1]["alias"] == "ballet"
    engine = http_client.models.engine_registry.create({"name": "e", "provider": "ollama"})
    http_client.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "capabilities": "ballet"}
    )
    with pytest.raises(RegistryProtectedError, match="still used by 1 registered models"):
        vocabulary.remove_term("capability", "dance")
    assert vocabulary.remove_alias("capability", "ballet") is True
    assert vocabulary.remove_alias("capability", "ballet") is False
    with pytest.raises(RegistryValidationError, match="is not a valid name"):
        vocabulary.add_term({"kind": "format", "name": "a b,c"})


def test_quantization_and_formats_through_the_api_and_client(api, http_client):
    created = api.post(
        "/api/v1/available-model-registry/",
        {"name": "q", "format": "GGUFv2", "quantization": " Q4_K_M ", "provider_hint": "llama.cpp"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    row = created.json()
    assert (row["format"], row["quantization"], row["provider_hint"]) == (
        "gguf",
        "Q4_K_M",
        "llamacpp",
    )
    catalog = http_client.models.available_model_registry
    assert [
        r["name"] for r in catalog.all({"quantization": "q4_k_m", "format": "ggufv2"})["rows"]
    ] == ["q"]
    with pytest.raises(RegistryValidationError, match="unknown format 'ggfu'; known formats: gguf"):
        catalog.create({"name": "r", "format": "ggfu"})


def test_admin_form_offers_quantization(admin_client):
    page = admin_client.get("/admin/inventory/availablemodel/add/").content.decode()
    assert 'name="quantization"' in page
