"""Fixtures for the inventory page tests: logged-in clients, a sample inventory and, for the
browser tests, one Chromium per session (skipped without Chromium unless REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.edits import edit_ids, edit_within_budget, validations  # noqa: F401  (fixtures)

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last: while the session's browser is open, Playwright's event
    loop is marked running in the test thread, which changes how Django treats ORM calls."""
    items.sort(key=lambda item: "browser" in item.keywords)


@pytest.fixture
def reader_client(login, reader) -> Client:
    return login(reader)


@pytest.fixture
def inventory(sdk, engine, other_engine, catalog_model, make_model) -> dict:
    """Two engines, a catalog row and five registered models with varied capabilities."""
    models = [
        make_model("chat-a", capabilities="chat", status="active", vram_required_mb=4000),
        make_model("chat-b", capabilities="chat,tool_calling", status="available"),
        make_model(
            "embed-a",
            capabilities="embedding",
            status="active",
            available_model_id=catalog_model["id"],
            extra_config={"dim": 768},
            ram_required_mb=1024,
        ),
        make_model("rerank-a", capabilities="reranking", status="error", is_downloaded=1),
        sdk.models.model_registry.create(
            {
                "name": "chat-c",
                "engine_id": other_engine["id"],
                "capabilities": ["chat", "reasoning"],
                "status": "active",
                "vram_required_mb": 8000,
                "ram_required_mb": 2048,
            }
        ),
    ]
    return {
        "engine": engine,
        "other_engine": other_engine,
        "catalog_model": catalog_model,
        "models": {row["name"]: row for row in models},
    }


def _launch():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        raise FileNotFoundError(f"Chromium not found at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    return playwright, browser


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium for the whole session; each test opens its own context.

    Playwright's sync API keeps an event loop running in the test thread, so Django would
    refuse the tests' own ORM calls (fixtures, assertions) without ``DJANGO_ALLOW_ASYNC_UNSAFE``;
    it is set only while the browser is open.
    """
    try:
        playwright, browser = _launch()
    except Exception as error:
        message = f"browser tests need Chromium and Playwright: {error}"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield browser
    browser.close()
    playwright.stop()
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


def log_in(page, live_server, username: str, password: str) -> None:
    """Sign ``page`` in through the login form."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
