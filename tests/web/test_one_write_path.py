"""Pages and the admin save through the services: a form opened before someone else's change
is refused with a message, nothing written, and an unchanged form writes nothing. (The query
budget of an edit: ``test_edit_budget.py`` here and in ``tests/admin``.)"""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Engine
from tests.edits import opened

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/engines/{id}/edit/", "/admin/inventory/engine/{id}/change/"],
    ids=["web", "admin"],
)
def test_a_stale_edit_form_is_refused_and_writes_nothing(admin_client, engine, url):
    url = url.format(id=engine["id"])
    first = opened(admin_client, url)
    second = opened(admin_client, url)
    saved = admin_client.post(url, {**first, "status": "error"})
    assert saved.status_code == 302
    refused = admin_client.post(url, {**second, "name": "renamed"})
    assert refused.status_code == 200
    assert "was changed since you opened it, so nothing was saved" in html.unescape(
        refused.content.decode()
    )
    stored = Engine.objects.get(pk=engine["id"])
    assert (stored.name, stored.status) == ("ollama-test", "error")


def test_an_unchanged_form_writes_nothing(admin_client, engine):
    url = f"/engines/{engine['id']}/edit/"
    before = Engine.objects.get(pk=engine["id"]).updated_at
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, opened(admin_client, url))
    assert response.status_code == 302
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    assert Engine.objects.get(pk=engine["id"]).updated_at == before
