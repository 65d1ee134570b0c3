"""In Chromium: the typeahead of the engine and catalog filters over 10,000 rows each, and
the global search of the navigation bar finding a row of each entity by a part of its path
or family."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from inventory.models import AvailableModel, Engine
from tests.web.conftest import REQUIRE_BROWSER
from tests.web.test_layout_browser import AXE, SERIOUS_VIOLATIONS
from tests.web.test_theme_browser import logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 10_000


@pytest.fixture
def big_inventory(sdk) -> dict:
    """10,000 engines and 10,000 catalog rows (bulk-created), and two registered models."""
    Engine.objects.bulk_create(
        Engine(name=f"engine-{index:05d}", provider="vllm") for index in range(ROWS)
    )
    AvailableModel.objects.bulk_create(
        AvailableModel(name=f"catalog-{index:05d}", label=f"catalog-{index:05d}", family="fam")
        for index in range(ROWS)
    )
    engine = Engine.objects.get(name="engine-04711")
    catalog = AvailableModel.objects.get(name="catalog-07342")
    sdk.models.model_registry.create(
        {"name": "picked", "engine_id": engine.pk, "available_model_id": catalog.pk}
    )
    sdk.models.model_registry.create({"name": "elsewhere", "engine_id": engine.pk + 1})
    return {"engine": engine, "catalog": catalog}


def options(page, box: str) -> list[str]:
    listbox = page.get_attribute(box, "aria-controls")
    page.wait_for_selector(f"#{listbox} [role=option]")
    return page.eval_on_selector_all(
        f"#{listbox} [role=option]", "items => items.map(i => i.firstChild.textContent)"
    )


def test_typeahead_offers_matching_names_and_filters_by_the_pick(
    browser, live_server, make_user, big_inventory
) -> None:
    context, page = logged_in(browser, live_server, make_user)
    page.goto(f"{live_server.url}/models/")
    page.click("[data-bs-target='#more-filters']")
    catalog = "input[name=available_model]"
    assert page.get_attribute(catalog, "role") == "combobox"
    page.click(catalog)
    with page.expect_response(lambda r: "/api/v1/available-model-registry/" in r.url) as asked:
        page.keyboard.type("log-0734", delay=20)
    assert asked.value.status == 200
    assert options(page, catalog) == [f"catalog-0734{digit}" for digit in range(10)]
    assert page.get_attribute(catalog, "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute(catalog, "aria-activedescendant")
    assert page.get_attribute(f"#{active}", "aria-selected") == "true"
    page.keyboard.press("Enter")
    assert page.input_value(catalog) == "catalog-07342"
    assert page.get_attribute(catalog, "aria-expanded") == "false"

    engine = "input[name=engine]"
    page.click(engine)
    page.keyboard.type("ENGINE-0471", delay=20)
    assert options(page, engine)[:2] == ["engine-04710", "engine-04711"]
    page.keyboard.press("Escape")
    assert page.get_attribute(engine, "aria-expanded") == "false"
    page.fill(engine, "engine-04711")  # a whole name typed, no option picked
    page.click("[data-testid=apply-filters]")
    page.wait_for_url("**/models/?*")
    assert sorted(parse_qsl(urlsplit(page.url).query)) == [
        ("available_model", "catalog-07342"),
        ("engine", "engine-04711"),
    ]
    assert page.locator('td[data-field="name"]').all_inner_texts() == ["picked"]
    context.close()


def test_global_search_finds_each_entity_by_path_or_family(
    browser, live_server, make_user, sdk, engine
) -> None:
    sdk.models.engine_registry.create({"name": "gpu-box-quokka", "provider": "vllm"})
    catalog = sdk.models.available_model_registry.create(
        {"name": "cat-row", "family": "marsupial/QUOKKA-family"}
    )
    model = sdk.models.model_registry.create(
        {"name": "reg-row", "engine_id": engine["id"], "model_path": "/srv/quokka-q4.gguf"}
    )
    context, page = logged_in(browser, live_server, make_user)
    page.goto(f"{live_server.url}/catalog/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search-q"
    page.keyboard.type("quokka")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=quokka")
    groups = {
        group.get_attribute("data-entity"): group.locator("[data-testid=search-hit]")
        for group in page.locator("[data-testid=search-group]").all()
    }
    assert groups["engine_registry"].all_inner_texts()[0].startswith("gpu-box-quokka")
    family = groups["available_model_registry"].locator("[data-testid=hit-field]")
    assert family.inner_text() == "Family: marsupial/QUOKKA-family"
    path = groups["model_registry"].locator("[data-testid=hit-field]")
    assert path.inner_text() == "Path: /srv/quokka-q4.gguf"
    groups["model_registry"].locator("a").click()
    page.wait_for_url(f"**/models/{model['id']}/")
    page.go_back()
    groups = page.locator("[data-entity=available_model_registry] a")
    groups.first.click()
    page.wait_for_url(f"**/catalog/{catalog['id']}/")
    context.close()


def test_open_combobox_passes_axe(browser, live_server, make_user, sdk, engine) -> None:
    if not AXE.exists():
        message = "axe-core is not installed (npm install)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    context, page = logged_in(
        browser, live_server, make_user, bypass_csp=True, viewport={"width": 1440, "height": 900}
    )
    page.goto(f"{live_server.url}/models/")
    page.click("[data-bs-target='#more-filters']")
    page.click("input[name=engine]")
    page.keyboard.type("test")
    assert options(page, "input[name=engine]") == ["ollama-test"]
    page.keyboard.press("ArrowDown")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(SERIOUS_VIOLATIONS)
    assert violations == [], violations
    context.close()
