"""Large imports over the API and the page: a body or an upload up to the import limit is
accepted (above Django's 2.5 MB request limit), beyond it a 413 naming the limit."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from inventory.models import AvailableModel

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/import/"


def document(rows: int) -> str:
    return json.dumps(
        {"catalog": [{"name": f"m{i:05d}", "summary": "x" * 1000} for i in range(rows)]}
    )


def test_json_body_over_django_limit_is_imported(api, settings):
    text = document(3_000)
    assert len(text) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.post(URL, {"text": text, "apply": True}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["counts"]["catalog"]["created"] == 3_000
    assert AvailableModel.objects.count() == 3_000


def test_upload_over_django_limit_is_imported(api, settings):
    upload = SimpleUploadedFile("catalog.json", document(3_000).encode())
    response = api.post(URL, {"file": upload})
    assert response.status_code == 200
    assert response.json()["counts"]["catalog"]["created"] == 3_000


@override_settings(IMPORT_MAX_BYTES=100_000)
@pytest.mark.parametrize("kind", ["body", "upload"])
def test_beyond_the_import_limit_is_a_json_413_naming_it(admin_user, token_for, kind):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(admin_user)}")
    text = document(200)
    if kind == "body":
        response = client.post(URL, json.dumps({"text": text}), content_type="application/json")
    else:
        response = client.post(URL, {"file": SimpleUploadedFile("a.json", text.encode())})
    assert response.status_code == 413
    message = "request body too large: the limit is 100000 bytes"
    assert response.json() == {"detail": message, "errors": {"__all__": [message]}}
    assert not AvailableModel.objects.exists()


@override_settings(IMPORT_MAX_BYTES=100_000)
def test_page_refuses_a_file_beyond_the_limit_naming_it(admin_client):
    upload = SimpleUploadedFile("a.json", document(200).encode())
    page = admin_client.post("/inventory/import/", {"file": upload}).content.decode()
    assert "over the import limit of 100000 bytes" in page


def test_page_accepts_a_file_over_django_limit(admin_client):
    upload = SimpleUploadedFile("a.json", document(3_000).encode())
    preview = admin_client.post("/inventory/import/", {"file": upload})
    assert preview.context["report"]["counts"]["catalog"]["created"] == 3_000
    applied = admin_client.post(
        "/inventory/import/", {"apply": "1", "digest": preview.context["digest"]}
    )
    assert applied.status_code == 302
    assert AvailableModel.objects.count() == 3_000


def fifty_megabytes() -> bytes:
    """A catalog file of a little over 50 MB: 2,000 rows of about 26 KB each, every field
    within its size limit."""
    blob = "y" * 500
    rows = [
        {
            "name": f"big-{index:05d}",
            "summary": "s" * 1500,
            "source_payload": {f"k{key}": blob for key in range(24)},
            "artifacts": [{"file": f"part-{part}", "note": blob} for part in range(24)],
        }
        for index in range(2_000)
    ]
    data = json.dumps({"catalog": rows}).encode()
    assert len(data) > 50 * 1024 * 1024
    return data


def test_a_50_mb_upload_gets_a_json_report_from_the_api_and_the_page(api, admin_client):
    data = fifty_megabytes()
    response = api.post(URL, {"file": SimpleUploadedFile("big.json", data)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["counts"]["catalog"]["created"] == 2_000

    preview = admin_client.post(
        "/inventory/import/", {"file": SimpleUploadedFile("big.json", data)}
    )
    assert preview.context["report"]["counts"]["catalog"]["created"] == 2_000
    report = json.loads(
        b"".join(admin_client.get("/inventory/import/report.json").streaming_content)
    )
    assert report["counts"]["catalog"]["created"] == 2_000
