"""The import page in a real Chromium: a preview with refused rows cut with a "more" marker,
the full report downloaded, then the valid rows applied."""

from __future__ import annotations

import csv
import json

import pytest

from inventory.models import AvailableModel
from tests.web.test_browser import page  # noqa: F401  (the logged-in page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_download_report_and_apply_the_valid_rows(page, live_server, tmp_path):  # noqa: F811
    rows = [{"name": f"ok-{i}"} for i in range(5)]
    rows += [{"name": f"bad-{i:03d}", "format": "exe"} for i in range(205)]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"catalog": rows}))
    page.goto(f"{live_server.url}/inventory/import/")
    page.set_input_files("#file", str(path))
    page.click('[data-testid="preview"]')
    errors = page.inner_text('[data-testid="import-errors"]')
    assert "205 rows refused, 205 errors" in errors
    assert "… and 5 more errors: the full report has them all." in errors

    with page.expect_download() as download:
        page.click('[data-testid="report-csv"]')
    with open(download.value.path(), encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert sum(record["action"] == "refused" for record in records) == 205
    assert sum(record["action"] == "created" for record in records) == 5

    page.click('[data-testid="apply-partial"]')
    page.wait_for_selector('[data-testid="import-report"]')
    assert "Applied partially" in page.inner_text('[data-testid="import-report"]')
    assert sorted(AvailableModel.objects.values_list("name", flat=True)) == [
        f"ok-{i}" for i in range(5)
    ]
