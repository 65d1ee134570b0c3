"""The import's partial mode and its option to move unknown capabilities, over the REST API
and the HTTP client (the same cases as the SDK's, see tests/workflows/test_import_partial)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.workflows.test_import_partial import (
    EXPECTED_REFUSED,
    MOVING,
    assert_exactly_the_valid_rows_written,
    eleven_bad_rows,
    refused,
)

pytestmark = pytest.mark.django_db


def test_api_partial_mode_and_move_option(api):
    body = {"text": json.dumps(eleven_bad_rows()), "apply": True, "mode": "partial"}
    response = api.post("/api/v1/inventory/import/", body, format="json")
    assert response.status_code == 200, response.json()
    assert refused(response.json()) == EXPECTED_REFUSED
    assert_exactly_the_valid_rows_written()
    upload = SimpleUploadedFile("catalog.json", json.dumps({"catalog": MOVING["catalog"]}).encode())
    response = api.post(
        "/api/v1/inventory/import/", {"file": upload, "move_unknown_capabilities": "true"}
    )
    assert response.status_code == 200
    assert response.json()["rows"][0]["moved_capabilities"] == ["pdf_input"]


def test_http_client_partial_mode(http_client):
    report = http_client.workflows.import_inventory(
        json.dumps(eleven_bad_rows()), apply=True, mode="partial"
    )
    assert refused(report) == EXPECTED_REFUSED
    assert_exactly_the_valid_rows_written()
    report = http_client.workflows.import_inventory(
        json.dumps({"catalog": MOVING["catalog"]}).encode(), move_unknown_capabilities=True
    )
    assert report["rows"][1]["moved_capabilities"] == ["teleportation"]
