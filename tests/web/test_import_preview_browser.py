"""The import preview in a real Chromium: a table with one line per row, the changed fields
of updated rows, every error of refused rows, a "Changes only" switch (on when some rows are
unchanged), and Apply only when the import would write something; the page holds its layout
on a phone and a laptop with no serious accessibility violation."""

from __future__ import annotations

import json

import pytest

from inventory.workflows import transfer
from tests.web.test_browser import page  # noqa: F401  (the logged-in page fixture)
from tests.web.test_layout_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    AXE,
    OVERFLOWING,
    REQUIRE_BROWSER,
    SERIOUS_VIOLATIONS,
    pages,
    screen,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORED = [{"name": f"stored-{index:02d}", "family": "llama"} for index in range(61)]
VISIBLE = 'tr[data-testid="import-row"]:visible'


@pytest.fixture
def preview_file(tmp_path):
    """A catalog file of 62 rows over 61 stored ones: row 1 changes the family of a stored
    row, row 2 is new and refused for two fields, rows 3-62 are the other stored rows as
    they are."""
    transfer.import_document({"catalog": STORED}, apply=True)
    rows = [
        {"name": "stored-00", "family": "mistral"},
        {"name": "brand-new", "format": "exe", "status": "lost"},
        *STORED[1:],
    ]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"catalog": rows}))
    return path


def preview(page, url: str, path) -> None:  # noqa: F811
    page.goto(f"{url}/inventory/import/")
    page.set_input_files("#file", str(path))
    page.click('[data-testid="preview"]')
    page.wait_for_selector('[data-testid="import-rows"]')


def test_preview_shows_the_changed_and_refused_rows_with_every_error(
    page,  # noqa: F811
    live_server,
    preview_file,
):
    preview(page, live_server.url, preview_file)
    assert page.is_checked('[data-testid="changes-only"]')
    lines = page.locator(VISIBLE)
    assert lines.count() == 2
    changed, refused = lines.nth(0), lines.nth(1)
    assert changed.get_attribute("data-action") == "updated"
    assert "stored-00" in changed.inner_text()
    assert changed.locator('[data-testid="row-changes"] li').all_inner_texts() == [
        "family: llama → mistral"
    ]
    assert refused.get_attribute("data-action") == "refused"
    assert "brand-new" in refused.inner_text()
    errors = refused.locator('[data-testid="row-errors"] li').all_inner_texts()
    assert len(errors) == 2
    assert errors[0].startswith("format: unknown format 'exe'")
    assert errors[1].startswith("status: 'lost' is not a valid status")
    counts = page.inner_text('[data-section="catalog"]').split()
    assert counts == ["catalog", "0", "1", "60", "1"]

    page.click('[data-testid="changes-only"]')  # off: every row of the file
    assert page.locator(VISIBLE).count() == 62
    assert page.locator('tr[data-action="unchanged"]:visible').count() == 60
    # The valid change can be applied on its own; there is no all-or-nothing Apply.
    assert page.locator('[data-testid="apply-partial"]').count() == 1
    assert page.locator('[data-testid="apply"]').count() == 0


def test_apply_is_hidden_when_nothing_would_change(page, live_server, tmp_path):  # noqa: F811
    transfer.import_document({"catalog": STORED}, apply=True)
    path = tmp_path / "same.json"
    path.write_text(json.dumps({"catalog": STORED}))
    preview(page, live_server.url, path)
    assert page.locator(VISIBLE).count() == 0
    assert "every row matches what is stored" in page.inner_text('[data-testid="nothing-to-apply"]')
    assert page.locator('[data-testid="apply"], [data-testid="apply-partial"]').count() == 0
    page.click('[data-testid="changes-only"]')
    assert page.locator(VISIBLE).count() == 61


def test_import_preview_layout_and_accessibility(screen, live_server, preview_file):  # noqa: F811
    """Named for the fixture: "accessibility" lets Playwright add axe-core past the CSP."""
    preview(screen, live_server.url, preview_file)
    screen.click('[data-testid="changes-only"]')  # every row shown
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"import-preview-{screen.viewport_name}.png"
    screen.screenshot(path=str(shot), full_page=True)
    scroll, inner = screen.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, screen.evaluate(OVERFLOWING)
    if not AXE.exists():
        message = "axe-core is not installed (npm install)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    screen.add_script_tag(path=str(AXE))
    violations = screen.evaluate(SERIOUS_VIOLATIONS)
    assert not violations, violations
