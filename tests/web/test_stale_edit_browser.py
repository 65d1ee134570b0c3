"""Two people edit the same row in the browser: the second save, from a form opened before
the first one was saved, is refused with a message and writes nothing."""

from __future__ import annotations

import pytest

from inventory.models import Engine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


def logged_in(browser, live_server, username: str):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_stale_edit_form_is_refused(browser, live_server, make_user, engine):
    make_user("ana", superuser=True, password=PASSWORD)
    make_user("bo", superuser=True, password=PASSWORD)
    edit = f"{live_server.url}/engines/{engine['id']}/edit/"
    first_context, first = logged_in(browser, live_server, "ana")
    second_context, second = logged_in(browser, live_server, "bo")
    try:
        first.goto(edit)
        second.goto(edit)
        first.fill("#id_name", "ollama-renamed")
        first.click("form[data-testid=record-form] button[type=submit]")
        first.wait_for_url(f"{live_server.url}/engines/{engine['id']}/")
        second.select_option("#id_status", "error")
        second.click("form[data-testid=record-form] button[type=submit]")
        errors = second.locator("[data-testid=form-errors]")
        errors.wait_for()
        assert "was changed since you opened it, so nothing was saved" in errors.inner_text()
        assert "/edit/" in second.url
    finally:
        first_context.close()
        second_context.close()
    stored = Engine.objects.get(pk=engine["id"])
    assert (stored.name, stored.status) == ("ollama-renamed", "active")
