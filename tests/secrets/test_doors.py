"""A secret written through the API: unreadable in the database, masked for readers in the API,
pages, list exports and the inventory export, readable in clear only with
``view_engine_secrets`` (API, SDK, HTTP client), kept through an export/import round trip."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from inventory.models import ApiToken, Engine
from inventory.secrets import MASK
from inventory.workflows.transfer.importer import InventoryImportError
from tests.conftest import VIEW_PERMS

CLEAR = "sk-live-0a1b2c3d4e5f"
HEADER = "Bearer hdr-9z8y7x"
CONFIG = {
    "base_url": "https://llm.example.com",
    "api_key": CLEAR,
    "headers": {"Authorization": HEADER},
}
MASKED = {
    "base_url": "https://llm.example.com",
    "api_key": MASK,
    "headers": {"Authorization": MASK},
}
SECRET_READER_PERMS = ("inventory.view_engine", "inventory.view_engine_secrets")


def bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 'tests')[1]}")
    return client


def assert_no_cleartext(text: str) -> None:
    assert CLEAR not in text
    assert "hdr-9z8y7x" not in text


@pytest.fixture
def reader(make_user):
    return make_user("reader", *VIEW_PERMS)


@pytest.fixture
def secret_reader(make_user):
    return make_user("module", *SECRET_READER_PERMS)


@pytest.fixture
def written(admin_user) -> dict:
    """An engine created through the API with secrets in its config."""
    response = bearer(admin_user).post(
        "/api/v1/engine-registry/",
        {"name": "openai-prod", "provider": "openai", "config": CONFIG},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["config"] == MASKED
    return response.json()


def test_database_holds_no_cleartext(written):
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM engine_registry")
        raw = " ".join(str(row[0]) for row in cursor.fetchall())
    assert_no_cleartext(raw)
    assert "$secret" in raw


def test_api_rows_are_masked_for_a_reader(written, reader):
    api = bearer(reader)
    listed = api.get("/api/v1/engine-registry/").json()["rows"]
    assert [row["config"] for row in listed] == [MASKED]
    detail = api.get(f"/api/v1/engine-registry/{written['id']}/")
    assert detail.json()["config"] == MASKED
    assert_no_cleartext(detail.content.decode())


def test_reveal_needs_the_permission(written, reader, secret_reader, admin_user):
    url = f"/api/v1/engine-registry/{written['id']}/secrets/"
    refused = bearer(reader).get(url)
    assert refused.status_code == 403
    assert "view_engine_secrets" in refused.json()["detail"]
    assert_no_cleartext(refused.content.decode())
    for user in (secret_reader, admin_user):
        response = bearer(user).get(url)
        assert response.status_code == 200
        assert response.json() == {"id": written["id"], "name": "openai-prod", "config": CONFIG}
        assert response["Cache-Control"] == "no-store"
    assert bearer(secret_reader).get("/api/v1/engine-registry/999999/secrets/").status_code == 404
    assert bearer(secret_reader).get("/api/v1/engine-registry/x/secrets/").status_code == 400


def test_reveal_is_logged_without_the_values(written, secret_reader, caplog):
    with caplog.at_level("INFO", logger="inventory.secrets"):
        bearer(secret_reader).get(f"/api/v1/engine-registry/{written['id']}/secrets/")
    assert "openai-prod" in caplog.text
    assert_no_cleartext(caplog.text)


def test_sdk_rows_are_masked_and_view_secrets_reveals(written, sdk):
    engines = sdk.models.engine_registry
    assert engines.view(written["id"])["config"] == MASKED
    assert engines.all()["rows"][0]["config"] == MASKED
    assert engines.view_secrets(written["id"])["config"] == CONFIG
    assert engines.view_secrets(999999) is None


def test_api_keep_or_replace(written, admin_user, secret_reader):
    api = bearer(admin_user)
    url = f"/api/v1/engine-registry/{written['id']}/"
    # Read, change an ordinary key, write back: the masked secrets are kept.
    row = api.get(url).json()
    row["config"]["base_url"] = "https://other.example.com"
    assert api.patch(url, {"config": row["config"]}, format="json").status_code == 200
    clear = bearer(secret_reader).get(url + "secrets/").json()["config"]
    assert clear == {**CONFIG, "base_url": "https://other.example.com"}
    # A new value replaces, null removes.
    api.patch(
        url,
        {"config": {**row["config"], "api_key": "sk-new", "headers": {"Authorization": None}}},
        format="json",
    )
    clear = bearer(secret_reader).get(url + "secrets/").json()["config"]
    assert clear == {"base_url": "https://other.example.com", "api_key": "sk-new", "headers": {}}
    # PUT with the row as read keeps them too.
    row = api.get(url).json()
    payload = {key: row[key] for key in ("name", "provider", "config", "status", "supported")}
    assert api.put(url, payload, format="json").status_code == 200
    assert bearer(secret_reader).get(url + "secrets/").json()["config"]["api_key"] == "sk-new"


def test_api_validation_errors_never_echo_the_secret(written, admin_user):
    url = f"/api/v1/engine-registry/{written['id']}/"
    response = bearer(admin_user).patch(
        url, {"config": {"api_key": CLEAR + "\u0000"}}, format="json"
    )
    assert response.status_code == 400
    assert_no_cleartext(response.content.decode())


def test_pages_show_secrets_masked(written, reader, login, client):
    login(reader)
    for url in (f"/engines/{written['id']}/", "/engines/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_cleartext(response.content.decode())
        assert "$secret" not in response.content.decode()
    assert MASK in client.get(f"/engines/{written['id']}/").content.decode()


def test_edit_form_never_renders_the_secret_and_keeps_it(written, admin_user, login, client, sdk):
    login(admin_user)
    url = f"/engines/{written['id']}/edit/"
    page = client.get(url).content.decode()
    assert_no_cleartext(page)
    assert "$secret" not in page and MASK in page
    form = {
        "name": "openai-prod",
        "provider": "openai",
        "status": "uninstalled",
        "config": json.dumps(MASKED | {"base_url": "https://changed.example.com"}),
    }
    response = client.post(url, form)
    assert response.status_code == 302
    config = sdk.models.engine_registry.view_secrets(written["id"])["config"]
    assert config == {**CONFIG, "base_url": "https://changed.example.com"}
    # Shown back with an error: the typed secret is masked, valid JSON or not.
    for text in (
        json.dumps({"api_key": "typed-secret-1"}),
        '{"api_key": "typed-secret-1", ',
    ):
        response = client.post(url, {**form, "name": "", "config": text})
        assert response.status_code == 200
        assert "typed-secret-1" not in response.content.decode()


def test_admin_shows_secrets_masked(written, admin_user, reader, login, client):
    login(admin_user)
    page = client.get(f"/admin/inventory/engine/{written['id']}/change/").content.decode()
    assert_no_cleartext(page)
    assert "$secret" not in page and MASK in page


def test_list_exports_are_masked(written, reader, login, client):
    login(reader)
    for fmt in ("csv", "json"):
        response = client.get(f"/engines/export.{fmt}")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode()
        assert_no_cleartext(text)
        assert MASK in text and "$secret" not in text


def test_inventory_export_is_masked_in_every_door(written, admin_user, sdk, capsys):
    for fmt in ("json", "yaml"):
        text = sdk.workflows.export_inventory(fmt)
        assert_no_cleartext(text)
        assert MASK in text and "$secret" not in text
    response = bearer(admin_user).get("/api/v1/inventory/export/")
    assert_no_cleartext(b"".join(response.streaming_content).decode())
    call_command("export_inventory")
    assert_no_cleartext(capsys.readouterr().out)


def test_export_import_round_trip_keeps_the_secrets(written, sdk):
    exported = sdk.workflows.export_inventory("json")
    stored = Engine.objects.values_list("config", flat=True).get(pk=written["id"])
    sdk.workflows.import_inventory(exported, "json", apply=True)
    assert Engine.objects.values_list("config", flat=True).get(pk=written["id"]) == stored
    assert sdk.models.engine_registry.view_secrets(written["id"])["config"] == CONFIG
    # Into a registry that does not hold the secrets, the masked engine is refused by place.
    Engine.objects.all().delete()
    with pytest.raises(InventoryImportError) as error:
        sdk.workflows.import_inventory(exported, "json", apply=True)
    assert "is the mask" in str(error.value) and "no secret is stored" in str(error.value)
    assert not Engine.objects.exists()


def test_imported_clear_secret_is_encrypted(db, sdk):
    document = json.dumps(
        {
            "format": "model-registry-inventory",
            "version": 1,
            "engines": [{"name": "imp", "provider": "vllm", "config": {"token": "imp-secret-1"}}],
        }
    )
    sdk.workflows.import_inventory(document, "json", apply=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM engine_registry")
        raw = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "imp-secret-1" not in raw
    engine = Engine.objects.get(name="imp")
    assert sdk.models.engine_registry.view_secrets(engine.pk)["config"] == {"token": "imp-secret-1"}


def test_admin_viewer_sees_secrets_masked(written, reader, login, client):
    reader.is_staff = True
    reader.save()
    login(reader)
    page = client.get(f"/admin/inventory/engine/{written['id']}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert_no_cleartext(text)
    assert "$secret" not in text and MASK in text


def test_marking_a_key_in_the_admin_encrypts_stored_values(admin_user, login, client, sdk):
    created = sdk.models.engine_registry.create(
        {"name": "custom", "provider": "vllm", "config": {"x_auth_code": "code-4711"}}
    )
    login(admin_user)
    response = client.post("/admin/inventory/secretconfigkey/add/", {"name": "X-Auth-Code"})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM engine_registry WHERE id = %s", [created["id"]])
        assert "code-4711" not in str(cursor.fetchone()[0])
    assert sdk.models.engine_registry.view(created["id"])["config"] == {"x_auth_code": MASK}
    refused = client.post("/admin/inventory/secretconfigkey/add/", {"name": "api_key"})
    assert refused.status_code == 200 and "built-in secret name" in refused.content.decode()


def test_import_report_never_echoes_a_refused_secret(db, sdk):
    document = json.dumps(
        {
            "format": "model-registry-inventory",
            "version": 1,
            "engines": [
                {"name": "bad", "provider": "vllm", "config": {"api_key": CLEAR + "\u0000"}},
                {"name": "masked", "provider": "vllm", "config": {"token": MASK}},
            ],
        }
    )
    report = sdk.workflows.import_inventory(document, "json")
    assert_no_cleartext(json.dumps(report))
    assert "no secret is stored there to keep" in json.dumps(report)


def test_reimporting_the_same_clear_secret_leaves_the_engine_unchanged(db, sdk):
    document = json.dumps(
        {
            "format": "model-registry-inventory",
            "version": 1,
            "engines": [{"name": "imp", "provider": "vllm", "config": {"token": "imp-secret-2"}}],
        }
    )
    sdk.workflows.import_inventory(document, "json", apply=True)
    stored = Engine.objects.values_list("config", flat=True).get(name="imp")
    report = sdk.workflows.import_inventory(document, "json", apply=True)
    assert [row["action"] for row in report["rows"] if row["section"] == "engines"] == ["unchanged"]
    assert Engine.objects.values_list("config", flat=True).get(name="imp") == stored


def test_history_and_change_feed_hold_no_secret(written, admin_user, reader):
    from inventory.models import ChangeRecord

    api = bearer(admin_user)
    url = f"/api/v1/engine-registry/{written['id']}/"
    api.patch(url, {"config": {**MASKED, "api_key": "sk-rotated-555"}}, format="json")
    stored = json.dumps(list(ChangeRecord.objects.values()), default=str)
    assert_no_cleartext(stored)
    assert "sk-rotated-555" not in stored and "$secret" not in stored
    feed = bearer(reader).get("/api/v1/changes/")
    assert feed.status_code == 200
    text = feed.content.decode()
    assert_no_cleartext(text)
    assert "sk-rotated-555" not in text and "$secret" not in text and MASK in text


def test_secrets_page_needs_the_permission_and_is_not_cached(
    written, reader, secret_reader, login, client
):
    url = f"/engines/{written['id']}/secrets/"
    login(reader)
    assert "show-secrets" not in client.get(f"/engines/{written['id']}/").content.decode()
    assert client.get(url).status_code == 403
    login(secret_reader)
    assert "show-secrets" in client.get(f"/engines/{written['id']}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert CLEAR in text and "hdr-9z8y7x" in text
    assert client.get("/engines/999999/secrets/").status_code == 404
