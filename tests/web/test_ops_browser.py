"""Bulk work, delete impact and capacity in a real Chromium against a live server."""

from __future__ import annotations

import pytest

from inventory.models import AvailableModel, Engine, KnowledgeSettings, RegisteredModel
from tests.web.test_browser import page  # noqa: F401  (the logged-in page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GB = 1024


def _report(browser_page) -> dict[str, str]:
    rows = browser_page.locator('[data-testid="bulk-report"] tbody tr')
    return {
        rows.nth(index).get_attribute("data-id"): rows.nth(index).get_attribute("data-result")
        for index in range(rows.count())
    }


def test_move_all_matching_rows_to_another_engine_then_a_conflicting_run(page, live_server):  # noqa: F811
    source = Engine.objects.create(name="old-box", provider="ollama")
    target = Engine.objects.create(name="new-box", provider="ollama", vram_total_mb=40 * GB)
    third = Engine.objects.create(name="third-box", provider="ollama")
    moved = [
        RegisteredModel.objects.create(
            name=f"m{index}", engine=source, status="active", vram_required_mb=GB
        )
        for index in range(30)
    ]
    RegisteredModel.objects.create(name="elsewhere", engine=third)
    # filter the models of one engine, select all matching (more than one page), move them
    page.goto(f"{live_server.url}/models/?engine_id={source.pk}&page_size=10")
    page.check('[data-testid="select-all-matching"]')
    page.click('[data-testid="bulk-move"]')
    assert "all 30 rows matching engine_id=" in page.inner_text('[data-testid="selection"]')
    page.select_option("#id_engine_id", str(target.pk))
    page.click('[data-testid="bulk-apply"]')
    summary = page.inner_text('[data-testid="bulk-summary"]')
    assert "30 matched, 30 changed" in summary
    report = _report(page)
    assert report == {str(row.pk): "changed" for row in moved}
    assert "old-box → new-box" in page.inner_text(
        f'[data-testid="bulk-report"] tr[data-id="{moved[0].pk}"]'
    )
    assert RegisteredModel.objects.filter(engine=target).count() == 30

    # a second run: three models of the third engine, one of which would overflow new-box
    small = [
        RegisteredModel.objects.create(
            name=f"s{i}", engine=third, status="active", vram_required_mb=GB
        )
        for i in range(2)
    ]
    huge = RegisteredModel.objects.create(
        name="huge", engine=third, status="active", vram_required_mb=20 * GB
    )
    page.goto(f"{live_server.url}/models/?engine_id={third.pk}")
    page.check('[data-testid="select-all-matching"]')
    page.click('[data-testid="bulk-move"]')
    page.select_option("#id_engine_id", str(target.pk))
    page.click('[data-testid="bulk-apply"]')
    assert "Nothing was changed" in page.inner_text('[data-testid="bulk-summary"]')
    report = _report(page)
    assert report[str(huge.pk)] == "refused"
    assert {report[str(row.pk)] for row in small} == {"changed"}
    row = page.inner_text(f'[data-testid="bulk-report"] tr[data-id="{huge.pk}"]')
    assert "has 40 GB of VRAM" in row
    assert RegisteredModel.objects.filter(engine=third).count() == 4
    assert RegisteredModel.objects.filter(engine=target).count() == 30


def test_ticked_rows_are_edited_in_one_step(page, live_server):  # noqa: F811
    engine = Engine.objects.create(name="box", provider="ollama")
    rows = [RegisteredModel.objects.create(name=f"r{i}", engine=engine) for i in range(3)]
    page.goto(f"{live_server.url}/models/")
    page.check(f'tr[data-id="{rows[0].pk}"] input[name="ids"]')
    page.check(f'tr[data-id="{rows[2].pk}"] input[name="ids"]')
    page.click('[data-testid="bulk-update"]')
    assert "2 selected row(s)" in page.inner_text('[data-testid="selection"]')
    page.select_option("#id_status", "disabled")
    page.fill("#id_add_capabilities", "chat")
    page.click('[data-testid="bulk-preview"]')
    assert "Preview, nothing written" in page.inner_text('[data-testid="bulk-summary"]')
    assert not RegisteredModel.objects.filter(status="disabled").exists()
    page.click('[data-testid="bulk-apply"]')
    assert "2 changed" in page.inner_text('[data-testid="bulk-summary"]')
    assert set(RegisteredModel.objects.filter(status="disabled").values_list("pk", flat=True)) == {
        rows[0].pk,
        rows[2].pk,
    }
    assert RegisteredModel.objects.get(pk=rows[0].pk).capabilities == "chat"


def test_delete_pages_show_the_impact_before_the_click(page, live_server):  # noqa: F811
    engine = Engine.objects.create(name="busy", provider="ollama")
    catalog = AvailableModel.objects.create(name="qwen", label="qwen")
    bound = RegisteredModel.objects.create(
        name=f"engine_{engine.pk}__qwen", engine=engine, available_model=catalog
    )
    hand = RegisteredModel.objects.create(name="by-hand", engine=engine, available_model=catalog)
    embed = RegisteredModel.objects.create(
        name="embedder", engine=engine, capabilities="embedding", extra_config={"dim": 8}
    )
    KnowledgeSettings.objects.create(enabled=True, embedding_model=embed)

    # an engine with models: refused up front, its models linked, the way out offered
    page.goto(f"{live_server.url}/engines/{engine.pk}/delete/")
    assert "still has 3 registered models" in page.inner_text('[data-testid="refusal"]')
    assert page.inner_text('[data-testid="impact-refused-total"]') == "3"
    assert page.locator('[data-testid="confirm-delete"]').count() == 0
    assert (
        page.locator(f'[data-testid="impact-refused"] a[href="/models/{bound.pk}/"]').count() == 1
    )
    page.click('[data-testid="way-out"]')
    assert "all 3 rows matching engine_id=" in page.inner_text('[data-testid="selection"]')

    # a catalog row with registered rows: what gets unlinked and what becomes stale
    page.goto(f"{live_server.url}/catalog/{catalog.pk}/delete/")
    assert "2 registered models will lose their catalog link" in page.inner_text(
        '[data-testid="impact-unlinked"]'
    )
    assert "1 registered row(s) made by binding" in page.inner_text('[data-testid="impact-stale"]')
    links = page.locator('[data-testid="impact-unlinked-rows"] a')
    assert sorted(links.all_inner_texts()) == sorted([bound.name, hand.name, "list them all"])
    page.click('[data-testid="confirm-delete"]')
    assert RegisteredModel.objects.get(pk=bound.pk).available_model_id is None

    # the knowledge embedding model: refused up front, pick another model instead
    page.goto(f"{live_server.url}/models/{embed.pk}/delete/")
    assert "knowledge embedding model" in page.inner_text('[data-testid="refusal"]')
    assert page.locator('[data-testid="confirm-delete"]').count() == 0
    page.click('[data-testid="way-out"]')
    page.wait_for_url("**/knowledge/")


def test_dashboard_highlights_an_over_committed_engine_in_gb(page, live_server):  # noqa: F811
    big = Engine.objects.create(name="vllm-a100", provider="vllm", vram_total_mb=80 * GB)
    calm = Engine.objects.create(name="calm", provider="ollama", vram_total_mb=80 * GB)
    RegisteredModel.objects.create(name="a", engine=big, status="active", vram_required_mb=100 * GB)
    RegisteredModel.objects.create(name="b", engine=big, status="active", vram_required_mb=61 * GB)
    RegisteredModel.objects.create(name="c", engine=calm, status="active", vram_required_mb=8 * GB)
    page.goto(f"{live_server.url}/")
    over = page.locator(
        '.load-chart .engine[data-engine="vllm-a100"] [data-testid="over-capacity"]'
    )
    assert over.is_visible()
    assert (
        page.locator(
            '.load-chart .engine[data-engine="calm"] [data-testid="over-capacity"]'
        ).count()
        == 0
    )
    figures = page.locator('.figures[data-engine="vllm-a100"] [data-resource="vram"]')
    assert "VRAM 161 GB of 80 GB" in figures.inner_text()
    assert "over" in (figures.get_attribute("class") or "")
    colour = page.locator('.load-chart .engine[data-engine="vllm-a100"] a').evaluate(
        "element => getComputedStyle(element).color"
    )
    calm_colour = page.locator('.load-chart .engine[data-engine="calm"] a').evaluate(
        "element => getComputedStyle(element).color"
    )
    assert colour != calm_colour
    assert "8 GB of 80 GB" in page.inner_text('.figures[data-engine="calm"]')


def test_bind_form_offers_compatible_engines_and_the_default_name(page, live_server):  # noqa: F811
    first = Engine.objects.create(name="a-ollama", provider="ollama")
    second = Engine.objects.create(name="b-ollama", provider="ollama")
    Engine.objects.create(name="c-vllm", provider="vllm")
    catalog = AvailableModel.objects.create(name="qwen", label="qwen", provider_hint="ollama")
    page.goto(f"{live_server.url}/catalog/{catalog.pk}/bind/")
    assert page.input_value("#bind-name") == f"engine_{first.pk}__qwen"
    assert page.locator("#engine_id option:disabled").all_inner_texts() == [
        "c-vllm (vllm, uninstalled) — not compatible"
    ]
    page.select_option("#engine_id", str(second.pk))
    assert page.input_value("#bind-name") == f"engine_{second.pk}__qwen"
    page.fill("#bind-name", "qwen-here")
    page.select_option("#engine_id", str(first.pk))
    assert page.input_value("#bind-name") == "qwen-here"  # the user's own name is kept
    page.click('[data-testid="bind-submit"]')
    page.wait_for_url("**/models/*/")
    assert RegisteredModel.objects.get().name == "qwen-here"


def test_the_header_checkbox_ticks_the_page(page, live_server):  # noqa: F811
    engine = Engine.objects.create(name="box", provider="ollama")
    for index in range(3):
        RegisteredModel.objects.create(name=f"r{index}", engine=engine)
    page.goto(f"{live_server.url}/models/")
    page.check("[data-select-page]")
    assert page.locator('input[name="ids"]:checked').count() == 3
    page.click('[data-testid="bulk-deactivate"]')
    assert "3 selected row(s)" in page.inner_text('[data-testid="selection"]')
