"""More doors: the knowledge page, workflow pages, the API import and the admin's knowledge
settings each record their writes with their actor."""

from __future__ import annotations

import json

import pytest

from inventory.models import ChangeRecord

pytestmark = pytest.mark.django_db


def last(**filters) -> ChangeRecord:
    return ChangeRecord.objects.filter(**filters).latest("id")


@pytest.fixture
def embedding(make_model) -> dict:
    return make_model("embed", capabilities=["embedding"], extra_config={"dim": 8})


def test_knowledge_page(admin_client, embedding):
    response = admin_client.post(
        "/knowledge/", {"enabled": "on", "embedding_model_id": str(embedding["id"])}
    )
    assert response.status_code == 302, response.content
    record = last(entity="knowledge", action="update")
    assert (record.actor, record.source) == ("admin", "web")
    assert record.field_changes["embedding_model_id"] == {"before": None, "after": embedding["id"]}
    assert record.field_changes["enabled"] == {"before": False, "after": True}


def test_admin_knowledge_settings(admin_client, embedding, sdk):
    sdk.knowledge.get_config()
    response = admin_client.post(
        "/admin/inventory/knowledgesettings/1/change/",
        {"enabled": "", "embedding_model": str(embedding["id"])},
    )
    assert response.status_code == 302, response.content
    record = last(entity="knowledge", action="update")
    assert (record.actor, record.source) == ("admin", "admin")
    assert record.field_changes == {
        "embedding_model_id": {"before": None, "after": embedding["id"]}
    }


def test_bind_and_deactivate_pages(admin_client, engine, catalog_model):
    response = admin_client.post(
        f"/catalog/{catalog_model['id']}/bind/", {"engine_id": str(engine["id"])}
    )
    assert response.status_code == 302, response.content
    created = last(entity="model_registry")
    assert (created.actor, created.source, created.action) == ("admin", "web", "create")
    admin_client.post(f"/models/{created.object_id}/deactivate/")
    record = last(entity="model_registry")
    assert record.field_changes == {"status": {"before": "active", "after": "available"}}
    assert record.actor == "admin" and record.operation != created.operation


def test_api_import_is_one_operation_under_the_token_name(api, engine):
    document = {
        "engines": [{"name": "ollama-test", "provider": "llamacpp"}],
        "catalog": [{"name": "a", "capabilities": ["chat"]}, {"name": "b"}],
    }
    response = api.post(
        "/api/v1/inventory/import/",
        {"text": json.dumps(document), "apply": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    records = list(ChangeRecord.objects.filter(source="api"))
    assert len(records) == 3 and {record.actor for record in records} == {"tests"}
    assert len({record.operation for record in records}) == 1
    update = next(record for record in records if record.action == "update")
    assert update.field_changes == {"provider": {"before": "ollama", "after": "llamacpp"}}


def test_api_bind_workflow_records_the_token(api, engine, catalog_model):
    response = api.post(
        "/api/v1/model-registry/bind/",
        {"engine_id": engine["id"], "available_model_id": catalog_model["id"]},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    record = last(entity="model_registry")
    assert (record.actor, record.source, record.action) == ("tests", "api", "create")
