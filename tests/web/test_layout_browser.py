"""Every page kind in a real Chromium on a phone (390x844) and a laptop (1440x900): no
horizontal page scroll (wide tables scroll inside their own box), no Content-Security-Policy
violation, and no serious or critical accessibility violation found by axe-core.

Screenshots of each page land in ``test-artifacts/layout/`` (git-ignored) for review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.models import SavedView
from inventory.web.columns import choosable_fields
from inventory.web.entities import BY_SLUG
from tests.web.conftest import REQUIRE_BROWSER, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "layout"
VIEWPORTS = {"phone": (390, 844), "laptop": (1440, 900)}
LONG = "organisation-with-a-long-name/" + "very-long-model-name-" * 4 + "q4_k_m"


# axe-core's serious and critical findings on the page, each with its first few elements.
SERIOUS_VIOLATIONS = """async () => (await axe.run(document, {resultTypes: ['violations']}))
  .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""

# The outermost elements whose right edge passes the viewport: what to fix when this fails.
OVERFLOWING = """[...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    return box.right > window.innerWidth + 1 && parent.right <= window.innerWidth + 1;
  }).slice(0, 4).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
    + '[' + Math.round(el.getBoundingClientRect().right) + ']')"""


@pytest.fixture
def pages(sdk, engine, make_model, catalog_model, make_user) -> dict[str, str]:
    """One URL per page kind, over rows with long unbroken values."""
    boss = make_user("boss", superuser=True, password=PASSWORD)
    SavedView.objects.create(
        user=boss, list_key="model_registry", name=LONG, filters="status=active", is_default=True
    )
    every_column = ",".join(field.name for field in choosable_fields(BY_SLUG["models"]))
    sdk.models.engine_registry.update(engine["id"], {"vram_total_mb": 24000, "ram_total_mb": 64000})
    model = make_model(
        LONG,
        capabilities="chat,tool_calling,reasoning",
        status="active",
        vram_required_mb=18000,
        ram_required_mb=4096,
        available_model_id=catalog_model["id"],
        extra_config={"context_length": 131072},
    )
    make_model("small-cpu-model", capabilities="embedding", status="available")
    long_catalog = sdk.models.available_model_registry.create(
        {"name": LONG, "capabilities": "chat", "family": "mixedbread-ai/" + "x" * 60}
    )
    e, c, m = engine["id"], catalog_model["id"], model["id"]
    return {
        "dashboard": "/",
        "engines": "/engines/",
        "catalog": "/catalog/",
        "models": "/models/?page=1",
        "models-every-column": f"/models/?columns={every_column}",
        "saved-views": "/models/views/",
        "engine-detail": f"/engines/{e}/",
        "catalog-detail": f"/catalog/{long_catalog['id']}/",
        "model-detail": f"/models/{m}/",
        "model-form": "/models/new/",
        "engine-edit": f"/engines/{e}/edit/",
        "model-edit": f"/models/{m}/edit/",
        "catalog-form": "/catalog/new/",
        "model-history": f"/models/{m}/history/",
        "model-delete": f"/models/{m}/delete/",
        "bulk": f"/models/bulk/?ids={m}",
        "bind": f"/catalog/{c}/bind/",
        "reconcile": f"/models/{m}/reconcile/",
        "stale": "/models/stale/",
        "import": "/inventory/import/",
        "knowledge": "/knowledge/",
        "vocabulary": "/vocabulary/",
        "changes": "/changes/",
        "search": "/search/?q=long-model",
        "admin-models": "/admin/inventory/registeredmodel/",
        "admin-catalog": "/admin/inventory/availablemodel/",
        "admin-engines": "/admin/inventory/engine/",
        "admin-model-form": f"/admin/inventory/registeredmodel/{m}/change/",
        "not-found": "/engines/999999/",
    }


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser, live_server, pages) -> Iterator:
    """A logged-in page at the viewport's size. Only the axe-core test lets Playwright put its
    script into pages past their Content-Security-Policy; the others keep the policy."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        bypass_csp="accessibility" in request.node.name,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.console.append(message.text))
    log_in(page, live_server, "boss", PASSWORD)
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def test_no_page_scrolls_sideways(screen, live_server, pages) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    for kind, url in pages.items():
        response = screen.goto(f"{live_server.url}{url}")
        assert response.status == (404 if kind == "not-found" else 200), (kind, response.status)
        shot = ARTIFACTS / f"{kind}-{screen.viewport_name}.png"
        screen.screenshot(path=str(shot), full_page=True)
        scroll, inner = screen.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            wide[kind] = (scroll, screen.evaluate(OVERFLOWING))
    assert not wide, f"wider than {screen.viewport_size['width']} px: {wide}"
    refused = [text for text in screen.console if "Content Security Policy" in text]
    assert not refused, refused


def test_dashboard_chart_bars_stay_readable(screen, live_server) -> None:
    screen.goto(f"{live_server.url}/")
    widths = screen.eval_on_selector_all(
        ".load-chart .bar-track", "tracks => tracks.map(t => t.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 120, widths


def test_no_serious_accessibility_violations(screen, live_server, pages) -> None:
    if not AXE.exists():
        message = "axe-core is not installed (npm install)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    found = {}
    for kind, url in pages.items():
        screen.goto(f"{live_server.url}{url}")
        screen.add_script_tag(path=str(AXE))
        violations = screen.evaluate(SERIOUS_VIOLATIONS)
        if violations:
            found[kind] = violations
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"axe-{screen.viewport_name}.json"
    report.write_text(json.dumps(found, indent=1))
    assert not found, f"{len(found)} pages with violations, listed in {report}"


def test_skip_link_moves_focus_to_the_content(screen, live_server) -> None:
    screen.goto(f"{live_server.url}/models/")
    screen.keyboard.press("Tab")
    focused = screen.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    screen.keyboard.press("Enter")
    assert screen.evaluate("location.hash") == "#content"
