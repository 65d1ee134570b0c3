"""Saved views: each user's named filters, sort, columns and page size of a list page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from inventory.models import ChangeRecord, SavedView
from inventory.web.columns import choosable_fields
from inventory.web.entities import BY_SLUG
from tests.conftest import VIEW_PERMS

pytestmark = pytest.mark.django_db

QUERY = "status=active&capabilities=chat&sort=-name&columns=name,engine_id,status&page_size=10"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save(client: Client, name: str, query: str = QUERY, default: bool = False, slug="models"):
    data = {"action": "save", "name": name, "query": query}
    if default:
        data["default"] = "1"
    return client.post(f"/{slug}/views/", data)


def test_save_stores_filters_sort_columns_and_page_size(admin_client, admin_user, inventory):
    response = save(admin_client, "Active chat", QUERY + "&page=3")
    assert response.status_code == 302
    view = SavedView.objects.get(user=admin_user)
    assert (view.list_key, view.name) == ("model_registry", "Active chat")
    assert parse_qs(view.filters) == {"status": ["active"], "capabilities": ["chat"]}
    assert (view.sort, view.columns, view.page_size) == ("-name", "name,engine_id,status", 10)
    assert parse_qs(view.query_string()) == parse_qs(QUERY)

    page = admin_client.get(f"/models/?{view.query_string()}").content.decode()
    assert 'data-testid="current-view">Active chat<' in page
    link = view.query_string().replace("&", "&amp;")
    assert f'href="/models/?{link}" data-testid="saved-view" aria-current' in page


def test_saved_views_are_not_inventory_history(admin_client, inventory):
    before = ChangeRecord.objects.count()
    save(admin_client, "Mine")
    assert ChangeRecord.objects.count() == before


def test_each_user_sees_and_changes_only_their_own_views(make_user, inventory):
    alice, bob = make_user("alice", *VIEW_PERMS), make_user("bob", *VIEW_PERMS)
    alice_client, bob_client = client_of(alice), client_of(bob)
    save(alice_client, "Alice's view")
    view = SavedView.objects.get(user=alice)

    assert "Alice&#x27;s view" not in bob_client.get("/models/").content.decode()
    assert "Alice&#x27;s view" not in bob_client.get("/models/views/").content.decode()
    assert "Alice&#x27;s view" in alice_client.get("/models/views/").content.decode()
    for action in ("rename", "default", "delete"):
        data = {"action": action, "id": view.pk, "name": "taken over", "default": "1"}
        assert bob_client.post("/models/views/", data).status_code == 404
    view.refresh_from_db()
    assert (view.name, view.is_default) == ("Alice's view", False)
    # The same name is free for another user, and per list.
    save(bob_client, "Alice's view")
    save(alice_client, "Alice's view", "status=active", slug="engines")
    assert SavedView.objects.filter(name="Alice's view").count() == 3


def test_saving_needs_a_login_and_the_list_permission(client, make_user, inventory):
    assert save(client, "anon").status_code == 302  # to the login page
    nobody = make_user("nobody")
    assert save(client_of(nobody), "x").status_code == 403
    assert not SavedView.objects.exists()


def test_rename_default_and_delete(admin_client, admin_user, inventory):
    save(admin_client, "First", default=True)
    save(admin_client, "Second", "status=error")
    first, second = SavedView.objects.order_by("pk")
    assert first.is_default

    admin_client.post("/models/views/", {"action": "default", "id": second.pk, "default": "1"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)

    response = admin_client.post(
        "/models/views/", {"action": "rename", "id": second.pk, "name": "  Errors   only "}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.name == "Errors only"

    refused = admin_client.post(
        "/models/views/", {"action": "rename", "id": second.pk, "name": "FIRST"}, follow=True
    )
    assert "you already have a saved view with this name" in refused.content.decode()
    second.refresh_from_db()
    assert second.name == "Errors only"

    admin_client.post("/models/views/", {"action": "default", "id": second.pk})
    second.refresh_from_db()
    assert not second.is_default

    admin_client.post("/models/views/", {"action": "delete", "id": first.pk})
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Errors only"]


def test_a_blank_name_or_invalid_filters_are_refused(admin_client, inventory):
    blank = save(admin_client, "   ")
    assert blank.status_code == 302
    refused = save(admin_client, "Bad", "capabilities=nonsense", default=True)
    page = admin_client.get(refused["Location"]).content.decode()
    assert "The view was not saved: its filters are not valid." in page
    for query in ("sort=colour", "columns=name,colour", "page_size=0", "colour=red"):
        save(admin_client, "Bad", query)
    assert not SavedView.objects.exists()
    save(admin_client, "x" * 101)
    assert not SavedView.objects.exists()
    page = admin_client.get("/models/").content.decode()
    assert "View name: Ensure this value has at most 100 characters" in page


def test_opening_the_list_without_parameters_applies_the_default(admin_client, inventory):
    save(admin_client, "Errors", "status=error&page_size=50", default=True)
    response = admin_client.get("/models/")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == {
        "status": ["error"],
        "page_size": ["50"],
    }
    # Coming from the list itself (its last filter removed), the list shows no filters.
    cleared = admin_client.get("/models/", HTTP_REFERER="http://testserver/models/?status=x")
    assert cleared.status_code == 200
    elsewhere = admin_client.get("/models/", HTTP_REFERER="http://testserver/engines/")
    assert elsewhere.status_code == 302
    # Any parameter, such as the standard view's, shows the list as asked.
    page = admin_client.get("/models/?page=1")
    assert page.status_code == 200
    assert page.context["query"].filters == {}
    assert 'href="/models/?page=1">Standard view' in page.content.decode()


def test_a_view_whose_filters_no_longer_hold_says_so(admin_client, sdk, inventory):
    sdk.vocabulary.add_term({"kind": "capability", "name": "dance", "label": "Dancing"})
    save(admin_client, "Dancers", "capabilities=dance", default=True)
    assert SavedView.objects.get().filters == "capabilities=dance"
    sdk.vocabulary.remove_term("capability", "dance")

    response = admin_client.get("/models/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your default view &#x27;Dancers&#x27; no longer applies as saved" in page
    assert "unknown capability &#x27;dance&#x27;" in page
    assert 'data-testid="filter-errors"' in page

    manage = admin_client.get("/models/views/").content.decode()
    assert 'data-testid="view-problems"' in manage


def test_unknown_action_and_malformed_id(admin_client, inventory):
    response = admin_client.post("/models/views/", {"action": "_own"}, follow=True)
    assert "Unknown saved-view action" in response.content.decode()
    assert admin_client.post("/models/views/", {"action": "delete", "id": "x"}).status_code == 404


def test_the_manage_page_says_what_each_view_holds(admin_client, inventory):
    save(admin_client, "Active chat")
    html = admin_client.get("/models/views/").content.decode()
    holds = re.search(r'data-testid="view-holds">([^<]*)<', html)
    every = len(choosable_fields(BY_SLUG["models"]))
    assert holds and holds.group(1) == (
        "Status: Active · Capabilities: chat · sorted by Name, descending · "
        f"3 of {every} columns · 10 rows per page"
    )
