"""History in a real Chromium: edit, read the diff in the History tab, restore the earlier
version; delete, undelete from the Changes list; both restores are in the history."""

from __future__ import annotations

import pytest

from inventory.models import ChangeRecord, Engine
from tests.web.test_browser import page  # noqa: F401  (the logged-in page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_restore_delete_undelete(page, live_server, engine, other_engine):  # noqa: F811
    page.goto(f"{live_server.url}/engines/{engine['id']}/edit/")
    page.fill("#id_provider", "vllm")
    page.click('[data-testid="save"]')
    page.wait_for_url(f"{live_server.url}/engines/{engine['id']}/")

    page.click('[data-testid="history-tab"]')
    page.wait_for_url(f"{live_server.url}/engines/{engine['id']}/history/")
    update = page.locator('[data-testid="change"][data-action="update"]')
    row = update.locator('tr[data-field="provider"]')
    assert row.locator('[data-testid="before"]').inner_text() == "ollama"
    assert row.locator('[data-testid="after"]').inner_text() == "vllm"
    created = page.locator('[data-testid="change"][data-action="create"]')
    created.locator('[data-testid="restore"]').click()
    page.wait_for_url(f"{live_server.url}/engines/{engine['id']}/history/")
    assert "Restored ollama-test" in page.content()
    assert Engine.objects.get(pk=engine["id"]).provider == "ollama"

    page.goto(f"{live_server.url}/engines/{other_engine['id']}/delete/")
    page.click('[data-testid="confirm-delete"]')
    page.wait_for_url(f"{live_server.url}/engines/")
    page.click("nav >> text=Changes")
    page.wait_for_url(f"{live_server.url}/changes/")
    deleted = page.locator('[data-testid="change"][data-action="delete"]')
    deleted.locator('[data-testid="restore"]', has_text="Undelete").click()
    page.wait_for_url(f"{live_server.url}/changes/")
    assert Engine.objects.get(pk=other_engine["id"]).name == "vllm-test"

    restores = ChangeRecord.objects.filter(restored_from__isnull=False).order_by("id")
    assert [(r.object_id, r.action, r.actor) for r in restores] == [
        (engine["id"], "update", "boss"),
        (other_engine["id"], "create", "boss"),
    ]
    page.goto(f"{live_server.url}/changes/")
    assert page.locator("text=restores change").count() == 2
