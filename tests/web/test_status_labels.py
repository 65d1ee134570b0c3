"""Status values read the same in the list badges as in the filter and form selects."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_status_badges_use_the_select_wording(admin_client, make_model) -> None:
    make_model("waiting-model", status="available")
    page = admin_client.get("/models/").content.decode()
    badge = re.search(r'<span class="badge[^"]*" data-status="available"[^>]*>([^<]*)</span>', page)
    assert badge and badge.group(1) == "Available"
    checkbox = re.search(r'name="status" value="available" id="([^"]+)"', page)
    assert checkbox and re.search(rf'for="{checkbox.group(1)}">Available</label>', page)
