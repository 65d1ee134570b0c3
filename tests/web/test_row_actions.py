"""The action menu of each list row: what the user may do with that row, and nothing else."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def menu_of(html: str, pk: int) -> list[str]:
    row = re.search(rf'<tr [^>]*data-id="{pk}".*?</tr>', html, re.S)
    assert row, pk
    return re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"', row.group(0))


def test_writers_get_edit_history_workflows_and_delete(admin_client, inventory):
    catalog = inventory["catalog_model"]["id"]
    linked = inventory["models"]["embed-a"]["id"]
    plain = inventory["models"]["chat-a"]["id"]
    models = admin_client.get("/models/").content.decode()
    assert menu_of(models, linked) == [
        f"/models/{linked}/edit/",
        f"/models/{linked}/history/",
        f"/models/{linked}/reconcile/",
        f"/models/{linked}/delete/",
    ]
    # A row without a catalog link has nothing to reconcile.
    assert f"/models/{plain}/reconcile/" not in menu_of(models, plain)
    assert "Actions for embed-a" in models
    assert menu_of(admin_client.get("/catalog/").content.decode(), catalog) == [
        f"/catalog/{catalog}/edit/",
        f"/catalog/{catalog}/history/",
        f"/catalog/{catalog}/bind/",
        f"/catalog/{catalog}/delete/",
    ]


def test_read_only_users_get_no_write_action(reader_client, inventory):
    catalog = inventory["catalog_model"]["id"]
    linked = inventory["models"]["embed-a"]["id"]
    models = reader_client.get("/models/").content.decode()
    assert menu_of(models, linked) == [
        f"/models/{linked}/history/",
        f"/models/{linked}/reconcile/",
    ]
    assert menu_of(reader_client.get("/catalog/").content.decode(), catalog) == [
        f"/catalog/{catalog}/history/"
    ]
    for url in menu_of(models, linked):
        assert reader_client.get(url).status_code == 200


def test_each_offered_action_opens(admin_client, inventory):
    html = (
        admin_client.get("/catalog/").content.decode()
        + admin_client.get("/models/").content.decode()
    )
    urls = set(re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"', html))
    assert urls
    for url in urls:
        assert admin_client.get(url).status_code == 200, url
