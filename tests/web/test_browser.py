"""The inventory pages in a real Chromium against a live server.

Every request any page makes is recorded; none may leave the live server's host (a request
the page's Content-Security-Policy refuses is never sent and does not count).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from inventory.models import Engine, RegisteredModel
from tests.web.test_export import csv_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


@pytest.fixture
def page(browser, live_server, make_user) -> Iterator:
    """A logged-in page in a fresh browser context that records every request."""
    make_user("boss", superuser=True, password=PASSWORD)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requested: list[str] = []
    blocked: set[str] = set()  # refused by the page's Content-Security-Policy: never sent
    context.on("request", lambda request: requested.append(request.url))
    context.on(
        "requestfailed",
        lambda request: blocked.add(request.url) if request.failure == "csp" else None,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/models/")
    assert "/login/" in page.url
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/models/")
    yield page
    context.close()
    own = urlsplit(live_server.url).netloc
    foreign = [
        url
        for url in requested
        if urlsplit(url).scheme in ("http", "https")
        and urlsplit(url).netloc != own
        and url not in blocked
    ]
    assert requested and not foreign, foreign


def names_on(page) -> list[str]:
    return page.locator('table.inventory-table td[data-field="name"]').all_inner_texts()


@pytest.fixture
def models(engine, other_engine, make_model, sdk) -> dict:
    rows = [
        make_model("alpha-chat", capabilities="chat", status="active"),
        make_model("beta-chat", capabilities="chat,tool_calling", status="active"),
        make_model("gamma-chat", capabilities="chat", status="available"),
        make_model("delta-embed", capabilities="embedding", status="active"),
        sdk.models.model_registry.create(
            {
                "name": "epsilon-chat",
                "engine_id": other_engine["id"],
                "capabilities": "chat",
                "status": "active",
            }
        ),
    ]
    return {row["name"]: row for row in rows}


def test_filter_sort_page_and_export(page, live_server, models, sdk):
    page.click("[data-bs-target='#more-filters']")
    page.click('label[for="cap-chat"]')
    page.click("[data-testid=choices-status] label:text-is('Active')")
    page.click('[data-testid="apply-filters"]')
    page.wait_for_url("**capabilities=chat**")
    assert sorted(names_on(page)) == ["alpha-chat", "beta-chat", "epsilon-chat"]

    page.click('th[data-field="name"] a')  # ascending
    page.click('th[data-field="name"] a')  # descending
    page.wait_for_url("**sort=-name**")
    assert names_on(page) == ["epsilon-chat", "beta-chat", "alpha-chat"]

    page.goto(f"{page.url}&page_size=2")  # the drop-down offers 10 to 200; any size is accepted
    assert page.input_value("#id_page_size") == "2"
    assert names_on(page) == ["epsilon-chat", "beta-chat"]
    page.click('[data-testid="page-next"]')
    page.wait_for_url("**page=2**")
    assert names_on(page) == ["alpha-chat"]
    assert "Rows 3" in page.inner_text('[data-testid="page-info"]')
    page.select_option("#id_page_size", "10")  # submits the filter form, back to page 1
    page.wait_for_url("**page_size=10**")
    assert names_on(page) == ["epsilon-chat", "beta-chat", "alpha-chat"]

    filters = {"capabilities": "chat", "status": "active"}
    with page.expect_download() as download:
        page.click('[data-testid="export-csv"]')
    with open(download.value.path(), encoding="utf-8") as handle:
        exported = list(csv.DictReader(io.StringIO(handle.read())))
    expected = sdk.models.model_registry.all(filters=filters, sort="-name")["rows"]
    assert exported == csv_form(sdk, expected)

    with page.expect_download() as download:
        page.click('[data-testid="export-json"]')
    with open(download.value.path(), encoding="utf-8") as handle:
        assert json.load(handle)["rows"] == expected


def test_invalid_filter_shows_its_message(page, live_server, models):
    page.goto(f"{live_server.url}/models/?capabilities=telepathy")
    assert "unknown capability 'telepathy'" in page.inner_text('[data-testid="filter-errors"]')
    assert names_on(page) == []


def test_create_with_invalid_dim_then_edit(page, live_server, engine):
    page.goto(f"{live_server.url}/models/new/")
    page.fill("#id_name", "browser-embed")
    page.select_option("#id_engine", str(engine["id"]))
    page.click('label:text-is("embedding")')
    page.click('[data-testid="extra-config-editor"] summary')  # "Edit as JSON"
    page.fill("#id_extra_config", '{"dim": -3}')
    page.click('[data-testid="save"]')
    error = page.locator('[data-error-for="extra_config"]')
    assert "dim in Extra config must be a whole number of 1 or more" in error.inner_text()
    assert not RegisteredModel.objects.filter(name="browser-embed").exists()

    page.fill("#id_extra_config", '{"dim": 768}')
    page.click('[data-testid="save"]')
    page.wait_for_url("**/models/*/")
    model = RegisteredModel.objects.get(name="browser-embed")
    assert model.extra_config == {"dim": 768} and model.capabilities == "embedding"

    page.click('[data-testid="edit"]')
    page.fill("#id_vram_required_mb", "2048")
    page.click('[data-testid="save"]')
    page.wait_for_url(f"**/models/{model.pk}/")
    assert "2,048 MB" in page.inner_text('tr[data-field="vram_required_mb"]')
    model.refresh_from_db()
    assert model.vram_required_mb == 2048


def test_deleting_an_engine_with_models_is_refused(page, live_server, engine, make_model):
    make_model("keeps-engine-alive")
    page.goto(f"{live_server.url}/engines/{engine['id']}/")
    page.click('[data-testid="delete"]')
    refusal = page.inner_text('[data-testid="refusal"]')  # before any confirmation
    assert "still has 1 registered model" in refusal
    assert page.locator('[data-testid="confirm-delete"]').count() == 0
    assert Engine.objects.filter(pk=engine["id"]).exists()


def test_dashboard_and_knowledge_pages_render(page, live_server, models):
    page.goto(f"{live_server.url}/")
    assert page.locator('[data-testid="engine-loads"] .bar.vram').count() == 2
    page.click("nav >> text=Knowledge")
    page.wait_for_url("**/knowledge/")
    assert page.locator('[data-testid="knowledge-config"]').is_visible()


def test_no_page_requests_another_host(page, live_server, models):
    """Every kind of page, the admin and the API docs included, loads only from the app (the
    ``page`` fixture fails the test on any request to another host)."""
    model_id = models["alpha-chat"]["id"]
    paths = [
        "/",
        "/engines/",
        "/catalog/",
        f"/models/{model_id}/",
        f"/models/{model_id}/edit/",
        "/models/new/",
        "/knowledge/",
        "/admin/",
        "/admin/inventory/registeredmodel/",
        f"/admin/inventory/registeredmodel/{model_id}/change/",
        "/api/docs/",
        "/api/redoc/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        assert response is not None and response.status == 200, path


def test_long_unbroken_values_do_not_push_columns_off_screen(page, live_server, sdk):
    sdk.models.available_model_registry.create(
        {"name": "long-" + "x" * 120, "label": "y" * 120, "family": "z" * 80, "version": "v" * 60}
    )
    page.goto(f"{live_server.url}/catalog/")
    overflow = page.evaluate(
        "() => { const box = document.querySelector('.table-responsive');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert overflow <= 0
