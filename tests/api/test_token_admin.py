"""The API token admin (``inventory.api.admin``) on an admin site of its own."""

from __future__ import annotations

import pytest
from django.contrib.admin import AdminSite
from django.urls import path

from inventory.api.admin import ApiTokenAdmin
from inventory.models import ApiToken
from inventory.models.api_token import hash_token

site = AdminSite(name="admin")
site.register(ApiToken, ApiTokenAdmin)
urlpatterns = [path("admin/", site.urls)]

pytestmark = pytest.mark.urls(__name__)
PREFIX = "/admin/inventory/apitoken/"


def test_adding_a_token_shows_it_once_and_stores_its_hash(client, admin_user, reader):
    client.force_login(admin_user)
    response = client.post(f"{PREFIX}add/", {"user": reader.pk, "name": "indexer"}, follow=True)
    assert response.status_code == 200
    row = ApiToken.objects.get()
    (message,) = [str(item) for item in response.context["messages"] if "copy it" in str(item)]
    token = message.split(": ", 1)[1].split(" ", 1)[0]
    assert row.key_hash == hash_token(token) and token.startswith(row.prefix)
    assert (row.user, row.name) == (reader, "indexer")
    assert ApiToken.user_for(token) == reader

    listing = client.get(PREFIX).content.decode()
    assert row.prefix in listing and token not in listing
    detail = client.get(f"{PREFIX}{row.pk}/change/").content.decode()
    assert token not in detail and row.key_hash not in detail
    assert 'name="name"' not in detail  # read-only: revoke and issue another instead


def test_revoking_a_token(client, admin_user, reader):
    row, token = ApiToken.issue(reader, "old")
    client.force_login(admin_user)
    response = client.post(f"{PREFIX}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert ApiToken.user_for(token) is None


def test_readers_of_the_inventory_cannot_see_tokens(client, reader):
    client.force_login(reader)
    assert client.get(PREFIX).status_code in (302, 403)


def test_tokens_are_in_the_default_admin(admin_client):
    from django.contrib import admin as django_admin

    from inventory.models import ApiToken

    assert django_admin.site.is_registered(ApiToken)
    assert admin_client.get("/admin/inventory/apitoken/").status_code == 200
