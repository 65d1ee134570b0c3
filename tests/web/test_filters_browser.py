"""The list filter form in Chromium: several statuses ticked at once, a URL without empty
parameters, and chips that each remove one filter value."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.web.test_theme_browser import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_multi_status_clean_url_and_chip_removal(browser, live_server, make_user, make_model):
    make_model("live-one", status="active")
    make_model("broken-one", status="error")
    make_model("idle-one", status="disabled")
    context, page = logged_in(browser, live_server, make_user)
    page.goto(f"{live_server.url}/models/")
    page.click("[data-bs-target='#more-filters']")
    page.click("[data-testid=choices-status] label:text-is('Active')")
    page.click("[data-testid=choices-status] label:text-is('Error')")
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**/models/?*")
    assert parse_qsl(urlsplit(page.url).query, keep_blank_values=True) == [
        ("status", "active"),
        ("status", "error"),
    ]
    names = page.locator('td[data-field="name"]').all_inner_texts()
    assert sorted(names) == ["broken-one", "live-one"]
    page.click("[data-testid=chip]:has-text('Error')")
    page.wait_for_url("**/models/?status=active")
    assert page.locator('td[data-field="name"]').all_inner_texts() == ["live-one"]
    page.click("[data-testid=chip]")
    page.wait_for_url(f"{live_server.url}/models/")
    assert page.locator("[data-testid=chip]").count() == 0
    context.close()
