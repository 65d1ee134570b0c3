"""Dark mode follows the system setting, the toggle overrides and is remembered; "/" focuses
the global search and "f" the list's search box."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


def logged_in(browser, live_server, make_user, **context_options):
    make_user("boss", superuser=True, password=PASSWORD)
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def theme(page) -> str:
    return page.evaluate("document.documentElement.getAttribute('data-bs-theme')")


def test_theme_follows_the_system_and_the_toggle_is_remembered(
    browser, live_server, make_user
) -> None:
    context, page = logged_in(browser, live_server, make_user, color_scheme="dark")
    page.goto(f"{live_server.url}/models/")
    assert theme(page) == "dark"
    page.emulate_media(color_scheme="light")
    page.reload()
    assert theme(page) == "light"
    page.emulate_media(color_scheme="dark")
    page.click("[data-testid=theme-toggle]")
    assert theme(page) == "light"
    page.goto(f"{live_server.url}/engines/")
    assert theme(page) == "light"  # the choice outlives the page, over the system's dark
    page.click("[data-testid=theme-toggle]")
    page.reload()
    assert theme(page) == "dark"
    context.close()


def test_slash_focuses_global_search_and_f_the_list_search(
    browser, live_server, make_user
) -> None:
    context, page = logged_in(browser, live_server, make_user)
    page.goto(f"{live_server.url}/models/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.hasAttribute('data-global-search')")
    page.keyboard.type("a/b f")
    assert page.input_value("[data-global-search]") == "a/b f"
    page.click("h1")
    page.keyboard.press("f")
    assert page.evaluate("document.activeElement.hasAttribute('data-search-shortcut')")
    page.keyboard.type("f/x")
    assert page.input_value("[data-search-shortcut]") == "f/x"
    context.close()
