"""Choice filters take several values, applied filters show as removable chips."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def chips(html: str) -> dict[str, str]:
    return dict(
        (re.sub(r"\s+", " ", text).strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(
            r'<a class="[^"]*filter-chip" href="([^"]*)".*?>(.*?)<i', html, re.S
        )
    )


def test_several_statuses_filter_and_each_chip_drops_one(admin_client, inventory) -> None:
    html = admin_client.get("/models/?status=active&status=error&q=&page=1").content.decode()
    names = re.findall(r'<td[^>]*data-field="name"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html)
    assert sorted(names) == ["chat-a", "chat-c", "embed-a", "rerank-a"]
    assert re.search(r'value="active"[^>]* checked', html)
    assert re.search(r'value="error"[^>]* checked', html)
    assert not re.search(r'value="available"[^>]* checked', html)
    assert chips(html) == {
        "Status: Active": "/models/?status=error",
        "Status: Error": "/models/?status=active",
    }


def test_no_chips_without_filters(admin_client, inventory) -> None:
    html = admin_client.get("/models/?page_size=50&q=").content.decode()
    assert 'data-testid="filter-chips"' not in html
