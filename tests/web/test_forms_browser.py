"""The record form in Chromium: required fields marked, the ``extra_config`` help following
the ticked capabilities live, its inputs writing the JSON editor, and the form still usable
without JavaScript."""

from __future__ import annotations

import json

import pytest

from inventory.models import RegisteredModel
from tests.web.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Secret-123"


def open_form(browser, live_server, path: str, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.console.append(message.text))
    log_in(page, live_server, "boss", PASSWORD)
    page.goto(f"{live_server.url}{path}")
    return context, page


def visible_keys(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=extra-config-help] tr[data-key]",
        "rows => rows.filter(r => !r.closest('[hidden]')).map(r => r.dataset.key)",
    )


def test_help_follows_ticked_capabilities_and_fills_the_json(
    browser, live_server, make_user, engine
):
    make_user("boss", superuser=True, password=PASSWORD)
    context, page = open_form(browser, live_server, f"/models/new/?engine={engine['id']}")
    try:
        assert page.get_attribute("#id_name", "aria-required") == "true"
        assert "*" in page.inner_text("label[for=id_name]")
        assert "required" in page.inner_text("[data-testid=required-legend]")
        assert page.get_attribute("#id_model_path", "aria-required") is None
        assert visible_keys(page) == ["defaults.context_length"]
        assert not page.is_visible("#id_extra_config")  # the JSON editor is folded away

        page.click("label[for=id_capabilities_4]")  # embedding
        assert page.inner_text("[data-help-selected]") == "embedding"
        assert visible_keys(page) == ["dim", "defaults.context_length"]
        page.fill("input[data-extra-key=dim]", "768")
        page.click("label[for=id_capabilities_0]")  # chat
        assert "defaults.temperature" in visible_keys(page)
        page.fill("input[data-extra-key='defaults.temperature']", "0.2")
        page.click("[data-testid=extra-config-editor] summary")
        config = json.loads(page.input_value("#id_extra_config"))
        assert config == {"dim": 768, "defaults": {"temperature": 0.2}}

        page.fill("input[data-extra-key='defaults.temperature']", "")
        assert json.loads(page.input_value("#id_extra_config")) == {"dim": 768}
        page.fill("#id_name", "typed-in-the-form")
        page.click("[data-testid=save]")
        page.wait_for_url(f"{live_server.url}/models/*/")
        saved = RegisteredModel.objects.get(name="typed-in-the-form")
        assert saved.extra_config == {"dim": 768}
        assert saved.capabilities == "chat,embedding"
        assert not [text for text in page.console if "Content Security Policy" in text]
    finally:
        context.close()


def test_without_javascript_the_json_editor_is_open(browser, live_server, make_user, engine):
    make_user("boss", superuser=True, password=PASSWORD)
    context, page = open_form(
        browser, live_server, f"/models/new/?engine={engine['id']}", javascript=False
    )
    try:
        assert page.is_visible("#id_extra_config")
        assert not page.is_visible("input[data-extra-key=dim]")
        assert page.is_visible("[data-testid=extra-config-help]")
        page.fill("#id_name", "no-script")
        page.click("label[for=id_capabilities_4]")
        page.fill("#id_extra_config", '{"dim": 384}')
        page.click("[data-testid=save]")
        page.wait_for_url(f"{live_server.url}/models/*/")
        assert RegisteredModel.objects.get(name="no-script").extra_config == {"dim": 384}
    finally:
        context.close()


def test_admin_help_follows_typed_capabilities_with_aliases(browser, live_server, make_user):
    make_user("boss", superuser=True, password=PASSWORD)
    context, page = open_form(browser, live_server, "/admin/inventory/registeredmodel/add/")
    try:
        assert "dim" not in visible_keys(page)
        page.fill("#id_capabilities", "Embeddings, completion")  # aliases of embedding, chat
        assert page.inner_text("[data-help-selected]") == "embedding, chat"
        assert visible_keys(page)[:2] == ["dim", "defaults.temperature"]
        page.fill("input[data-extra-key=dim]", "1024")
        assert json.loads(page.input_value("#id_extra_config")) == {"dim": 1024}
        assert not [text for text in page.console if "Content Security Policy" in text]
    finally:
        context.close()
