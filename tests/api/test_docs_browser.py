"""The API docs pages in a real Chromium: they render, and no request leaves the site.

Chromium is driven from a worker thread of its own, so this test neither shares nor
disturbs the session browser of the inventory page tests (Playwright's sync API allows one
instance per thread) and the test thread keeps no event loop running.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, REQUIRE_BROWSER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Visit:
    text: str = ""
    sent: list[str] = field(default_factory=list)
    refused_by_policy: list[str] = field(default_factory=list)


class BrowserMissing(Exception):
    pass


def visit(url: str, rendered: str, session: str) -> Visit:
    """Open ``url`` in a fresh Chromium with the ``session`` cookie, wait for ``rendered``,
    record every request."""
    from playwright.sync_api import sync_playwright

    result = Visit()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:
            raise BrowserMissing(str(error)) from error
        context = browser.new_context()
        origin = "{0.scheme}://{0.netloc}/".format(urlsplit(url))
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": origin}]
        )
        page = context.new_page()
        page.on("request", lambda request: result.sent.append(request.url))
        page.on(
            "requestfailed",
            lambda request: (
                request.failure == "csp" and result.refused_by_policy.append(request.url)
            ),
        )
        page.goto(url)
        page.wait_for_selector(rendered, timeout=15_000)
        page.wait_for_load_state("networkidle")
        result.text = page.inner_text("body")
        browser.close()
    return result


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".swagger-ui .opblock"), ("/api/redoc/", "[data-section-id]")],
)
def test_docs_render_without_leaving_the_site(live_server, admin_client, path, rendered):
    session = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    with ThreadPoolExecutor(1) as thread:
        try:
            seen = thread.submit(visit, live_server.url + path, rendered, session).result()
        except (BrowserMissing, ImportError) as error:
            message = f"browser tests need Chromium and Playwright: {error}"
            if REQUIRE_BROWSER:
                pytest.fail(message)
            pytest.skip(message)
    assert "Model Registry API" in seen.text
    assert f"{live_server.url}/api/schema/" in seen.sent
    own = urlsplit(live_server.url).netloc
    foreign = [
        url
        for url in seen.sent
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own
    ]
    # Nothing is even tried elsewhere (Redoc's sidebar credit would load a logo from
    # Redocly's CDN); the page's policy would refuse it anyway.
    assert not foreign, (foreign, seen.sent)
