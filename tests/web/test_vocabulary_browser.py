"""In a real Chromium: a capability added on the vocabulary page is offered and accepted by
the create form at once, and filterable in the list."""

from __future__ import annotations

import pytest

from inventory.models import RegisteredModel

from .test_browser import names_on, page  # noqa: F401  (the logged-in page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_added_capability_is_usable_at_once(page, live_server, engine):  # noqa: F811
    page.goto(f"{live_server.url}/vocabulary/")
    form = page.locator('[data-testid="add-term"]')
    form.locator("#term-kind").select_option("capability")
    form.locator("#term-name").fill("Dance")
    form.locator("#term-label").fill("Dancing")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/vocabulary/")
    assert page.locator('[data-testid="vocabulary-capability"] [data-term="dance"]').count() == 1

    page.goto(f"{live_server.url}/models/new/")
    page.fill("#id_name", "dancer")
    page.select_option("#id_engine", str(engine["id"]))
    page.click('label:text-is("dance")')
    page.click('[data-testid="save"]')
    page.wait_for_url("**/models/*/")
    assert RegisteredModel.objects.get(name="dancer").capabilities == "dance"

    page.goto(f"{live_server.url}/models/?capabilities=dance")
    assert names_on(page) == ["dancer"]
