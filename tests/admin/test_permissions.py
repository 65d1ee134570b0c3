"""A view-only staff user can read every admin page and change nothing."""

from __future__ import annotations

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(make_model, catalog_model, engine, sdk) -> dict[str, int]:
    model = make_model("embed", capabilities="embedding", extra_config={"dim": 768})
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": model["id"]})
    return {
        "engine": engine["id"],
        "availablemodel": catalog_model["id"],
        "registeredmodel": model["id"],
        "knowledgesettings": KnowledgeSettings.SINGLETON_ID,
    }


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Engine, AvailableModel, RegisteredModel, KnowledgeSettings)
    ]


def url(name: str, view: str, *args: int) -> str:
    return reverse(f"admin:inventory_{name}_{view}", args=args)


@pytest.mark.parametrize(
    "name", ["engine", "availablemodel", "registeredmodel", "knowledgesettings"]
)
def test_viewer_reads_but_every_write_is_forbidden(login, viewer, rows, name):
    client = login(viewer)
    before = snapshot()
    pk = rows[name]
    assert client.get(url(name, "changelist"), follow=True).status_code == 200
    page = client.get(url(name, "change", pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert page.context["adminform"].form.fields == {}  # every field read-only
    assert 'name="_save"' not in page.content.decode()

    assert client.get(url(name, "add")).status_code == 403
    assert client.post(url(name, "add"), {"name": "new", "provider": "ollama"}).status_code == 403
    assert client.post(url(name, "change", pk), {"name": "renamed"}).status_code == 403
    assert client.get(url(name, "delete", pk)).status_code == 403
    assert client.post(url(name, "delete", pk), {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_viewer_sees_json_indented(login, viewer, rows):
    page = login(viewer).get(url("registeredmodel", "change", rows["registeredmodel"]))
    content = page.content.decode()
    assert '<pre class="json-display">{\n  &quot;dim&quot;: 768\n}</pre>' in content
    assert "confirm_embedding_model_change" not in content


def test_knowledge_settings_cannot_be_added_or_deleted_even_by_a_superuser(admin_client, rows):
    assert admin_client.get(url("knowledgesettings", "add")).status_code == 403
    response = admin_client.post(url("knowledgesettings", "delete", 1), {"post": "yes"})
    assert response.status_code == 403
    assert KnowledgeSettings.objects.count() == 1


def test_staff_without_view_permission_sees_nothing(login, make_staff, rows):
    client = login(make_staff("nobody"))
    for name, pk in rows.items():
        assert client.get(url(name, "changelist")).status_code == 403
        assert client.get(url(name, "change", pk)).status_code == 403


@pytest.mark.parametrize("name", ["engine", "availablemodel", "registeredmodel"])
def test_viewer_runs_no_admin_action(login, viewer, admin_user, rows, name, rf):
    """Every action the superuser is offered (delete, activate, prune…) does nothing for a
    viewer, even when posted directly with its confirmation."""
    model_admin = next(
        a for m, a in django_admin.site._registry.items() if m._meta.model_name == name
    )
    request = rf.get("/")
    request.user = admin_user
    actions = list(model_admin.get_actions(request))
    assert "delete_selected" in actions
    client = login(viewer)
    before = snapshot()
    for action in actions:
        data = {
            "action": action,
            ACTION_CHECKBOX_NAME: [str(rows[name])],
            "post": "yes",
            "confirm_prune": "yes",
            "stale_ids": [str(rows[name])],
        }
        response = client.post(url(name, "changelist"), data)
        assert response.status_code in (200, 302, 403), action
    assert snapshot() == before
