"""Saved views, the column chooser and the row menus in Chromium: a view saved with filters,
sort, columns and page size comes back after logging out and in; the chooser works without
script; the open menus keep the page within the screen and pass axe-core."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.conftest import REQUIRE_BROWSER
from tests.web.test_layout_browser import AXE, OVERFLOWING, SERIOUS_VIOLATIONS
from tests.web.test_theme_browser import PASSWORD, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def headers(page) -> list[str]:
    return page.eval_on_selector_all(
        "table.inventory-table th[data-field]", "ths => ths.map(th => th.dataset.field)"
    )


def names(page) -> list[str]:
    return page.locator('td[data-field="name"]').all_inner_texts()


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_saved_view_comes_back_after_logout_and_login(browser, live_server, make_user, make_model):
    for index in range(14):
        make_model(f"chat-{index:02}", capabilities="chat", status="active")
    make_model("idle-model", capabilities="chat", status="available")
    context, page = logged_in(browser, live_server, make_user)
    page.goto(f"{live_server.url}/models/")

    page.click("[data-bs-target='#more-filters']")
    page.click("[data-testid=choices-status] label:text-is('Active')")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**/models/?status=active")
    page.click("th[data-field=name] a.sort-link")
    page.wait_for_url("**sort=name**")
    page.click("th[data-field=name] a.sort-link")
    page.wait_for_url("**sort=-name**")
    page.select_option("#id_page_size", "10")
    page.wait_for_url("**page_size=10**")

    page.click("[data-testid=column-chooser] summary")
    page.uncheck("#column-vram_required_mb")
    page.uncheck("#column-ram_required_mb")
    page.check("#column-model_path")
    page.click("[data-testid=apply-columns]")
    page.wait_for_url("**columns=**")
    shown = [
        "id",
        "name",
        "engine_id",
        "available_model_id",
        "model_path",
        "is_downloaded",
        "version",
        "capabilities",
        "status",
        "updated_at",
    ]
    assert headers(page) == shown
    expected_url = page.url

    page.click("[data-testid=views-menu] summary")
    page.fill("#save-view-name", "Busy chat models")
    page.check("#save-view-default")
    page.click("[data-testid=save-view] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=current-view]").inner_text() == "Busy chat models"

    page.click("nav button:text-is('Log out')")
    page.wait_for_load_state()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/models/")  # the default view opens
    page.wait_for_url("**/models/?*")
    assert parse_qs(urlsplit(page.url).query) == parse_qs(urlsplit(expected_url).query)
    assert parse_qs(urlsplit(page.url).query)["columns"] == [",".join(shown)]
    assert names(page) == [f"chat-{index:02}" for index in range(13, 3, -1)]
    assert page.input_value("#id_page_size") == "10"
    assert headers(page) == shown
    assert page.locator("[data-testid=chip]").all_inner_texts()[0].startswith("Status: Active")

    page.click("[data-testid=views-menu] summary")
    page.click("text=Standard view")
    page.wait_for_url("**/models/?page=1")
    assert len(names(page)) == 15
    page.click("[data-testid=views-menu] summary")
    page.click("[data-testid=saved-view]:text-is('Busy chat models')")
    page.wait_for_url("**columns=**")
    assert names(page)[0] == "chat-13"
    context.close()


def test_column_chooser_works_without_script(browser, live_server, make_user, make_model):
    make_model("plain-model", status="active")
    context, page = logged_in(browser, live_server, make_user, java_script_enabled=False)
    page.goto(f"{live_server.url}/models/?status=active")
    page.click("[data-testid=column-chooser] summary")
    page.uncheck("#column-version")
    page.check("#column-remote_url")
    page.click("[data-testid=apply-columns]")
    page.wait_for_url("**columns=**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["status"] == ["active"]
    assert query["columns"][0].split(",")[:3] == ["id", "name", "engine_id"]
    assert "remote_url" in headers(page) and "version" not in headers(page)
    context.close()


@pytest.mark.parametrize("size", [(390, 844), (1440, 900)], ids=["phone", "laptop"])
def test_open_menus_fit_the_screen_and_pass_axe(
    browser, live_server, make_user, make_model, size
) -> None:
    make_model("menu-model-with-a-rather-long-name-" * 2, status="active")
    width, height = size
    context, page = logged_in(
        browser, live_server, make_user, viewport={"width": width, "height": height}
    )
    page.goto(f"{live_server.url}/models/")
    page.click("[data-testid=views-menu] summary")
    page.click("[data-testid=column-chooser] summary")
    page.click(".row-actions button")
    menu = page.locator(".row-actions .dropdown-menu.show")
    assert menu.is_visible()
    box = menu.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, page.evaluate(OVERFLOWING)
    page.keyboard.press("Escape")
    page.click(".row-actions button")
    page.click(".row-actions .dropdown-menu.show a:has-text('Edit')")
    page.wait_for_url("**/edit/")
    context.close()

    if not AXE.exists():
        if REQUIRE_BROWSER:
            pytest.fail("axe-core is not installed (npm install)")
        pytest.skip("axe-core is not installed (npm install)")
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/models/")
    page.click("[data-testid=views-menu] summary")
    page.click("[data-testid=column-chooser] summary")
    page.click(".row-actions button")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(SERIOUS_VIOLATIONS)
    assert not violations
    context.close()
