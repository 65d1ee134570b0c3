"""Who may see and change what: login, view permissions, write permissions and CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from inventory.models import Engine, KnowledgeSettings, RegisteredModel
from inventory.web.entities import INVENTORIES

pytestmark = pytest.mark.django_db


def read_urls(ids: dict[str, int]) -> list[str]:
    urls = [reverse("inventory:dashboard"), reverse("inventory:knowledge")]
    for inventory in INVENTORIES:
        urls += [
            inventory.url("list"),
            inventory.url("detail", ids[inventory.slug]),
            reverse(inventory.url_name("export"), args=["csv"]),
            reverse(inventory.url_name("export"), args=["json"]),
        ]
    return urls


def write_urls(ids: dict[str, int]) -> list[str]:
    urls = []
    for inventory in INVENTORIES:
        urls += [
            inventory.url("create"),
            inventory.url("edit", ids[inventory.slug]),
            inventory.url("delete", ids[inventory.slug]),
        ]
    return urls


@pytest.fixture
def ids(inventory) -> dict[str, int]:
    return {
        "engines": inventory["engine"]["id"],
        "catalog": inventory["catalog_model"]["id"],
        "models": inventory["models"]["chat-a"]["id"],
    }


def test_anonymous_visitors_are_sent_to_login(client: Client, ids):
    login = reverse("inventory:login")
    for url in read_urls(ids) + write_urls(ids):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_login_page_logs_in_and_logout_is_a_post(client: Client, reader):
    page = client.get(reverse("inventory:login"))
    assert page.status_code == 200
    response = client.post(
        reverse("inventory:login"), {"username": "reader", "password": "pw-Secret-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("inventory:dashboard")).status_code == 200
    assert client.get(reverse("inventory:logout")).status_code == 405
    assert client.post(reverse("inventory:logout")).status_code == 302
    assert client.get(reverse("inventory:dashboard")).status_code == 302


def test_reader_sees_every_page_but_no_write_buttons(reader_client: Client, ids):
    for url in read_urls(ids):
        response = reader_client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            continue
        html = response.content.decode()
        for marker in ('data-testid="create"', 'data-testid="edit"', 'data-testid="delete"'):
            assert marker not in html, (url, marker)
        assert 'data-testid="knowledge-form"' not in html
        assert "/new/" not in html and "/edit/" not in html and "/delete/" not in html, url


def test_admin_sees_write_buttons(admin_client: Client, ids):
    for inventory in INVENTORIES:
        assert 'data-testid="create"' in admin_client.get(inventory.url("list")).content.decode()
        html = admin_client.get(inventory.url("detail", ids[inventory.slug])).content.decode()
        assert 'data-testid="edit"' in html and 'data-testid="delete"' in html
    html = admin_client.get(reverse("inventory:knowledge")).content.decode()
    assert 'data-testid="knowledge-form"' in html


def test_reader_gets_403_on_every_write_url_and_nothing_changes(reader_client: Client, ids):
    before = (Engine.objects.count(), RegisteredModel.objects.count())
    for url in write_urls(ids):
        assert reader_client.get(url).status_code == 403, url
        response = reader_client.post(url, {"name": "hacked", "provider": "tei"})
        assert response.status_code == 403, url
    knowledge = reader_client.post(reverse("inventory:knowledge"), {"enabled": "on"})
    assert knowledge.status_code == 403
    assert (Engine.objects.count(), RegisteredModel.objects.count()) == before
    assert not RegisteredModel.objects.filter(name="hacked").exists()
    assert not KnowledgeSettings.load().enabled


def test_logged_in_user_without_view_permission_gets_403(make_user, login, ids):
    client = login(make_user("nobody"))
    for url in read_urls(ids)[1:]:  # the dashboard itself only needs a login
        assert client.get(url).status_code == 403, url
    dashboard = client.get(reverse("inventory:dashboard")).content.decode()
    assert 'data-testid="summary-' not in dashboard


def test_view_permission_alone_does_not_allow_the_other_inventories(make_user, login, ids):
    client = login(make_user("engines-only", "inventory.view_engine"))
    assert client.get(reverse("inventory:engines-list")).status_code == 200
    assert client.get(reverse("inventory:models-list")).status_code == 403


def test_add_permission_allows_create_but_not_edit_or_delete(make_user, login, ids):
    client = login(make_user("adder", "inventory.view_engine", "inventory.add_engine"))
    assert client.get(reverse("inventory:engines-create")).status_code == 200
    assert client.get(reverse("inventory:engines-edit", args=[ids["engines"]])).status_code == 403
    assert client.get(reverse("inventory:engines-delete", args=[ids["engines"]])).status_code == 403


def test_every_form_is_csrf_protected(admin_user, ids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    posts = [
        (reverse("inventory:engines-create"), {"name": "e", "provider": "ollama"}),
        (reverse("inventory:engines-edit", args=[ids["engines"]]), {"name": "e2"}),
        (reverse("inventory:models-delete", args=[ids["models"]]), {}),
        (reverse("inventory:knowledge"), {"enabled": ""}),
        (reverse("inventory:logout"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert RegisteredModel.objects.filter(pk=ids["models"]).exists()
    assert not Engine.objects.filter(name="e").exists()
    page = client.get(reverse("inventory:engines-create")).content.decode()
    assert "csrfmiddlewaretoken" in page
