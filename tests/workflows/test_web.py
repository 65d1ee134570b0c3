"""The workflow pages: register on engine, deactivate, reconcile, stale rows, import/export."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inventory.models import AvailableModel, RegisteredModel


@pytest.fixture
def browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def catalog(sdk) -> dict:
    return sdk.models.available_model_registry.create(
        {"name": "llama3.1:8b", "capabilities": "chat", "provider_hint": "ollama", "version": "8b"}
    )


def test_register_on_engine_from_the_catalog_page(browser, engine, other_engine, catalog):
    detail = browser.get(f"/catalog/{catalog['id']}/").content.decode()
    assert 'data-testid="register-on-engine"' in detail
    form = browser.get(f"/catalog/{catalog['id']}/bind/").content.decode()
    assert "vllm-test (vllm, uninstalled) — not compatible" in form
    refused = browser.post(f"/catalog/{catalog['id']}/bind/", {"engine_id": other_engine["id"]})
    assert refused.status_code == 200
    assert "provider_hint admits ollama" in refused.content.decode()
    assert not RegisteredModel.objects.exists()
    done = browser.post(
        f"/catalog/{catalog['id']}/bind/",
        {"engine_id": engine["id"], "extra_config": '{"source_mode": "catalog"}'},
    )
    row = RegisteredModel.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/models/{row.pk}/"
    assert (row.status, row.extra_config) == ("active", {"source_mode": "catalog"})


def test_deactivate_and_reconcile_on_the_model_page(browser, sdk, engine, catalog):
    row = sdk.workflows.bind(engine["id"], catalog["id"])["row"]
    sdk.models.available_model_registry.update(catalog["id"], {"version": "8b-q8"})
    page = browser.get(f"/models/{row['id']}/").content.decode()
    assert 'data-testid="deactivate"' in page
    assert 'data-testid="reconcile-diff"' in page and "8b-q8" in page
    browser.post(f"/models/{row['id']}/deactivate/")
    assert RegisteredModel.objects.get(pk=row["id"]).status == "available"
    applied = browser.post(f"/models/{row['id']}/reconcile/", {"fields": ["version"]})
    assert applied.status_code == 302
    assert RegisteredModel.objects.get(pk=row["id"]).version == "8b-q8"
    page = browser.get(f"/models/{row['id']}/").content.decode()
    assert 'data-testid="in-sync"' in page and 'data-testid="deactivate"' not in page


def test_stale_page_lists_then_deletes_only_when_confirmed(browser, make_model):
    stale = make_model("broken", status="error")
    make_model("fine")
    page = browser.get("/models/stale/").content.decode()
    assert "broken" in page and "fine" not in page
    assert "Storage on disk is not touched" in page
    browser.post("/models/stale/", {"ids": [stale["id"]]})
    assert RegisteredModel.objects.filter(pk=stale["id"]).exists()
    browser.post("/models/stale/", {"ids": [stale["id"]], "confirm": "1"})
    assert list(RegisteredModel.objects.values_list("name", flat=True)) == ["fine"]


def test_import_preview_then_apply_and_export(browser, catalog):
    document = {"catalog": [{"name": "new-one"}, {"name": "llama3.1:8b", "version": "9"}]}
    upload = SimpleUploadedFile("inventory.json", json.dumps(document).encode())
    preview = browser.post("/inventory/import/", {"file": upload})
    html = preview.content.decode()
    assert 'data-section="catalog"><td class="ps-3">catalog</td><td>1</td><td>1</td>' in html
    assert not AvailableModel.objects.filter(name="new-one").exists()
    digest = preview.context["digest"]
    applied = browser.post("/inventory/import/", {"apply": "1", "digest": digest})
    assert applied.status_code == 302
    assert AvailableModel.objects.get(name="llama3.1:8b").version == "9"
    assert AvailableModel.objects.filter(name="new-one").exists()

    exported = browser.get("/inventory/export.yaml")
    text = b"".join(exported.streaming_content).decode()
    assert [row["name"] for row in yaml.safe_load(text)["catalog"]] == ["llama3.1:8b", "new-one"]


def test_import_errors_are_listed_with_row_and_field(browser):
    bad = "name,format\nok,gguf\nbroken,exe\n"
    page = browser.post(
        "/inventory/import/", {"file": SimpleUploadedFile("catalog.csv", bad.encode())}
    ).content.decode()
    refused = page.split('<tr data-action="refused"', 1)[1].split("</tr>", 1)[0]
    assert "<td>catalog</td><td>2</td>" in refused and "broken" in refused
    assert "<code>format</code>: unknown format &#x27;exe&#x27;" in refused
    assert 'data-testid="apply"' not in page
    assert 'data-testid="apply-partial"' in page  # the valid row "ok" would be created


def test_pages_need_permissions(make_user, catalog, make_model):
    reader = Client()
    reader.force_login(make_user("reader", "inventory.view_availablemodel"))
    assert "register-on-engine" not in reader.get(f"/catalog/{catalog['id']}/").content.decode()
    assert reader.get(f"/catalog/{catalog['id']}/bind/").status_code == 403
    assert reader.get("/inventory/import/").status_code == 403
    assert reader.get("/inventory/export.json").status_code == 403
    model = make_model("broken", status="error")
    assert reader.post("/models/stale/", {"ids": [model["id"]], "confirm": "1"}).status_code == 403
    assert Client().get("/models/stale/").status_code == 302
