"""The column chooser: the shown columns come from the declaration, in its order, and the
``columns=`` parameter stays in one clean form."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.web.columns import choosable_fields, default_columns
from inventory.web.entities import BY_SLUG, INVENTORIES

from .test_query_counts import fill

pytestmark = pytest.mark.django_db


def headers(response) -> list[str]:
    return re.findall(r'<th [^>]*data-field="([^"]+)"', response.content.decode())


def test_the_chooser_offers_the_declared_fields_with_the_defaults_ticked(admin_client, inventory):
    for item in INVENTORIES:
        html = admin_client.get(item.url("list")).content.decode()
        offered = re.findall(r'name="columns" value="([^"]+)" id="column-[^"]+"( checked)?', html)
        assert [name for name, _ in offered] == [field.name for field in choosable_fields(item)]
        assert [name for name, ticked in offered if ticked] == default_columns(item)
        # Fields that do not fit a cell are not offered; JSON ones, say.
        assert "extra_config" not in dict(offered) and "config" not in dict(offered)


def test_chosen_columns_show_in_declaration_order(admin_client, inventory):
    response = admin_client.get("/models/?columns=name,engine_id,model_path,status")
    assert response.status_code == 200
    assert headers(response) == ["name", "engine_id", "model_path", "status"]
    html = response.content.decode()
    # The extra column is not sortable (no declared sort), the others keep their sort links.
    assert 'data-sort="model_path"' not in html and 'data-sort="status"' in html
    # Applying filters keeps the choice.
    assert '<input type="hidden" name="columns" value="name,engine_id,model_path,status">' in html


def test_the_form_submit_is_redirected_to_one_clean_parameter(admin_client, inventory):
    response = admin_client.get(
        "/models/",
        {"columns": ["name", "status", "name", "engine_id"], "status": "active"},
    )
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == {
        "columns": ["name,engine_id,status"],
        "status": ["active"],
    }
    assert "name%2C" not in response["Location"]


def test_the_default_choice_leaves_the_url(admin_client, inventory):
    defaults = ",".join(default_columns(BY_SLUG["engines"]))
    response = admin_client.get("/engines/", {"columns": defaults, "sort": "-name"})
    assert response.status_code == 302
    assert response["Location"] == "/engines/?sort=-name"


def test_name_is_always_shown(admin_client, inventory):
    response = admin_client.get("/catalog/?columns=status", follow=True)
    assert response.redirect_chain == [("/catalog/?columns=name,status", 302)]
    assert headers(response) == ["name", "status"]


def test_an_unknown_column_is_reported_and_left_out(admin_client, inventory):
    response = admin_client.get("/models/?columns=name,colour")
    assert response.status_code == 200
    assert headers(response) == ["name"]
    assert "unknown column &#x27;colour&#x27; left out" in response.content.decode()


def test_exports_and_bulk_work_leave_the_column_choice_out(admin_client, inventory):
    response = admin_client.get("/models/?columns=name,status&status=active")
    context = response.context
    assert "columns" not in context["export_urls"]["csv"]
    assert context["filter_query"] == "status=active"
    export = admin_client.get("/models/export.csv?columns=name,status&status=active")
    assert export.status_code == 200
    header = b"".join(export.streaming_content).decode().splitlines()[0]
    assert "model_path" in header and "engine_id" in header


def test_every_column_costs_no_query_per_row(admin_client):
    every = ",".join(field.name for field in choosable_fields(BY_SLUG["models"]))
    url = f"/models/?columns={every}&page_size=200"
    fill(10)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    fill(200)
    with CaptureQueriesContext(connection) as large:
        admin_client.get(url)
    assert len(large) == len(small)


def test_the_chooser_submit_keeps_the_list_query_without_copying_its_fields(
    admin_client, inventory
):
    html = admin_client.get("/models/?status=active&sort=-name&page=2").content.decode()
    assert '<input type="hidden" name="keep" value="status=active&amp;sort=-name">' in html
    assert html.count('name="status"') == len(re.findall(r'name="status" value="\w+" id=', html))
    response = admin_client.get(
        "/models/", {"keep": "status=active&sort=-name", "columns": ["name", "status"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/models/?status=active&sort=-name&columns=name,status"
    defaults = default_columns(BY_SLUG["models"])
    back = admin_client.get("/models/", {"keep": "status=active", "columns": defaults})
    assert back["Location"] == "/models/?status=active"
    assert admin_client.get("/models/", {"keep": "", "columns": defaults})["Location"] == "/models/"
