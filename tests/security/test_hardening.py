"""Response headers on every page (CSP, nosniff, referrer policy, no framing), the schema and
docs behind a login, and the proxy header trusted only when configured."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_kind_of_page_has_the_strict_policy_and_headers(admin_client, make_model):
    model = make_model("llama3")
    paths = [
        "/login/",
        "/",
        "/models/",
        f"/models/{model['id']}/",
        f"/models/{model['id']}/edit/",
        "/engines/new/",
        "/knowledge/",
        "/models/stale/",
        "/inventory/import/",
        "/admin/",
        "/admin/inventory/registeredmodel/",
        "/api/v1/model-registry/",
        "/no-such-page/",
        "/models/export.xml",
    ]
    for path in paths:
        response = admin_client.get(path, HTTP_ACCEPT="text/html")
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in directives["style-src"], path
        assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_docs_pages_widen_only_styles_and_workers(admin_client):
    for path in ("/api/docs/", "/api/redoc/"):
        directives = policy(admin_client.get(path))
        assert directives["script-src"] == ["'self'"]
        assert directives["worker-src"] == ["'self'", "blob:"]


def test_schema_and_docs_need_a_login(client, admin_user, token_for):
    assert client.get("/api/schema/").status_code == 401
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    token = token_for(admin_user)
    schema = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert schema.status_code == 200 and b"openapi" in schema.content


@override_settings(SECURE_SSL_REDIRECT=True)
def test_forwarded_proto_from_a_direct_client_does_not_skip_the_https_redirect(settings):
    assert settings.SECURE_PROXY_SSL_HEADER is None  # TRUSTED_PROXY is not set
    response = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response["Location"].startswith("https://")
