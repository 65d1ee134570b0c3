"""The history pages show hostile names, values and filters as text, under the strict
Content-Security-Policy, in a real Chromium."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.test_xss_browser import PAYLOADS, hostile_rows, page, visit  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_pages_never_run_hostile_values(page, live_server, hostile_rows, sdk):  # noqa: F811
    engine = hostile_rows["engines"][0]
    sdk.models.engine_registry.update(engine["id"], {"config": {"note": PAYLOADS[1]}})
    sdk.models.model_registry.delete(hostile_rows["models"][1]["id"])
    hostile = quote(PAYLOADS[0])
    base = live_server.url
    for path in [
        "/changes/",
        f"/changes/?actor={hostile}&operation={hostile}&since={hostile}",
        f"/engines/{engine['id']}/history/",
        f"/models/{hostile_rows['models'][1]['id']}/history/",
        f"/admin/inventory/engine/{engine['id']}/history/",
        "/admin/inventory/changerecord/",
        f"/admin/inventory/changerecord/?q={hostile}",
    ]:
        visit(page, base + path)
    assert not page.violations, page.violations
