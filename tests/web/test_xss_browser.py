"""No script injection, in a real Chromium: rows whose names, labels and config hold markup,
and URLs whose export format, filters and path hold markup, are shown as text on every kind
of page (lists, details, forms, dashboard, workflow pages, admin, browsable API, API docs),
never run. Every page also loads without a Content-Security-Policy violation of its own.

Each payload carries an ``id`` of its own: an element with that id in the page means the
markup was parsed (whether or not the policy then stopped its script), so the test fails on
the injection itself, not only on a dialog."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from inventory.errors import RegistryValidationError

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
PAYLOADS = [
    "<img src=x id=xss1 onerror=alert(1)>",
    '"><script id=xss2>alert(2)</script>',
    "'><svg id=xss3 onload=alert(3)>",
    "</textarea><b id=xss4 onmouseover=alert(4)>x</b>",
]
MARKERS = "#xss1, #xss2, #xss3, #xss4"


def create(create_row, payload: dict, name: str, fallback: str) -> dict:
    """The row with the hostile name, or with a plain one if names refuse markup."""
    try:
        return create_row({**payload, "name": name})
    except RegistryValidationError:
        return create_row({**payload, "name": fallback})


@pytest.fixture
def hostile_rows(sdk) -> dict:
    engines, catalog, models = [], [], []
    for index, text in enumerate(PAYLOADS):
        engine = create(
            sdk.models.engine_registry.create,
            {"provider": "ollama", "config": {"note": text, text: "key"}},
            text,
            f"engine-{index}",
        )
        entry = create(
            sdk.models.available_model_registry.create,
            {"label": text, "family": text, "summary": text, "version": text},
            f"catalog {text}",
            f"catalog-{index}",
        )
        model = create(
            sdk.models.model_registry.create,
            {"engine_id": engine["id"], "model_path": text, "version": text},
            f"model {text}",
            f"model-{index}",
        )
        sdk.models.available_model_registry.update(
            entry["id"], {"label": PAYLOADS[(index + 1) % len(PAYLOADS)]}
        )  # a change whose before and after are both markup, for the history pages
        engines.append(engine)
        catalog.append(entry)
        models.append(model)
    return {"engines": engines, "catalog": catalog, "models": models}


@pytest.fixture
def page(browser, live_server, make_user) -> Iterator:
    make_user("boss", superuser=True, password=PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.dialogs = []
    page.violations = []

    def on_dialog(dialog) -> None:
        page.dialogs.append((page.url, dialog.message))
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.violations.append((page.url, message.text))
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()


def visit(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.mouse.move(5, 5)
    assert page.locator(MARKERS).count() == 0, url
    assert not page.dialogs, page.dialogs


def test_the_dialog_listener_sees_a_script_that_runs(page, live_server):
    page.goto(f"{live_server.url}/")
    page.evaluate("() => alert('listener works')")
    assert page.dialogs == [(f"{live_server.url}/", "listener works")]


def test_hostile_values_and_urls_never_run_on_any_page(page, live_server, hostile_rows):
    base = live_server.url
    engine, entry, model = (hostile_rows[key][0] for key in ("engines", "catalog", "models"))
    hostile = quote(PAYLOADS[0])
    paths = [
        "/",
        "/knowledge/",
        "/models/stale/",
        "/changes/",
        "/vocabulary/",
        f"/engines/{engine['id']}/secrets/",
        f"/changes/?q={hostile}",
        "/inventory/import/",
        f"/catalog/{entry['id']}/bind/",
        f"/models/{model['id']}/reconcile/",
        f"/no-such-page/{hostile}",
        "/admin/",
        "/admin/inventory/engine/",
        f"/admin/inventory/engine/{engine['id']}/change/",
        f"/admin/inventory/availablemodel/{entry['id']}/change/",
        f"/admin/inventory/registeredmodel/{model['id']}/change/",
        f"/admin/inventory/registeredmodel/{model['id']}/history/",
        f"/admin/inventory/engine/{engine['id']}/history/",
        f"/admin/inventory/registeredmodel/?q={hostile}",
        "/api/v1/engine-registry/",
        f"/api/v1/model-registry/{model['id']}/",
        f"/api/v1/model-registry/?name={hostile}",
        "/api/docs/",
        "/api/redoc/",
    ]
    for slug, rows in hostile_rows.items():
        for row in rows:
            paths += [
                f"/{slug}/{row['id']}/",
                f"/{slug}/{row['id']}/edit/",
                f"/{slug}/{row['id']}/history/",
            ]
        paths += [
            f"/{slug}/",
            f"/{slug}/new/",
            f"/{slug}/{rows[0]['id']}/delete/",
            f"/{slug}/?q={hostile}&status={hostile}&sort={hostile}",
            f"/{slug}/?{hostile}=1",
        ]
    for path in paths:
        visit(page, base + path)
    own = [v for v in page.violations if "/api/docs/" not in v[0] and "/api/redoc/" not in v[0]]
    assert not own, own

    # Export URLs: hostile formats and filters are refused as plain text, never as HTML (a
    # format with a slash names no export at all: the styled 404 page, shown as text above).
    for path in ["/engines/", "/catalog/", "/models/", "/inventory/"]:
        for fmt in PAYLOADS:
            url = f"{base}{path}export.{quote(fmt)}"
            visit(page, url)
            response = page.context.request.get(url)
            if "/" in fmt:
                assert response.status == 404
                continue
            assert response.status == 400
            assert response.headers["content-type"].startswith("text/plain")
            assert response.headers["x-content-type-options"] == "nosniff"
    for slug in ("engines", "catalog", "models"):
        response = page.context.request.get(f"{base}/{slug}/export.csv?{hostile}=1")
        assert response.status == 400 and "text/plain" in response.headers["content-type"]
        exported = page.context.request.get(f"{base}/{slug}/export.json")
        assert exported.headers["content-type"] == "application/json"
        assert "attachment" in exported.headers["content-disposition"]
