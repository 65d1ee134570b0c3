"""Every failure answers in the door's own form, with DEBUG off: JSON ``{"detail", "errors"}``
under /api/ (503 + Retry-After for a database outage, 413 naming the limit, 500 naming the
request id), the styled page elsewhere, and ``X-Request-ID`` on every response."""

from __future__ import annotations

import json
import logging

import psycopg.errors
import pytest
from django.conf import settings
from django.db import InternalError, OperationalError, ProgrammingError, connection
from django.test import Client, override_settings
from log_request_id.filters import RequestIDFilter

from inventory.failures import RETRY_AFTER_SECONDS, database_unavailable
from inventory.models import ApiToken

pytestmark = pytest.mark.django_db

BOOM = "HTTP_X_TEST_FAILURE"


class FailingMiddleware:
    """Raises what the request asks for, before any view runs (outside DRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = request.META.get(BOOM)
        if kind == "database":
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
        if kind == "bug":
            raise RuntimeError("secret internal detail")
        return self.get_response(request)


with_failing_middleware = override_settings(
    MIDDLEWARE=[*settings.MIDDLEWARE, "tests.security.test_error_responses.FailingMiddleware"]
)


@pytest.fixture
def anyone() -> Client:
    """A client that gets the error response instead of the exception re-raised."""
    return Client(raise_request_exception=False)


@pytest.fixture
def admin_page_client(admin_user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def assert_api_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    assert response["X-Request-ID"]
    return body


def test_the_suite_runs_with_debug_off():
    assert settings.DEBUG is False


def test_every_response_carries_a_request_id(anyone, admin_page_client):
    first, second = anyone.get("/login/"), anyone.get("/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert admin_page_client.get("/api/v1/engine-registry/")["X-Request-ID"]
    # A client cannot choose its id (it would forge log lines).
    assert anyone.get("/login/", HTTP_X_REQUEST_ID="forged")["X-Request-ID"] != "forged"


# --- database unavailable -------------------------------------------------------------------


def test_database_down_during_token_check_is_a_503_json(anyone, monkeypatch):
    def refused(token):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(ApiToken, "valid", staticmethod(refused))
    response = anyone.get("/api/v1/engine-registry/", HTTP_AUTHORIZATION="Bearer abc")
    body = assert_api_error(response, 503)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "database is unavailable" in body["detail"]
    assert "Connection refused" not in response.content.decode()


@with_failing_middleware
def test_database_down_in_a_middleware_is_a_503_json_and_a_503_page(anyone):
    api = anyone.get("/api/v1/engine-registry/", **{BOOM: "database"})
    assert_api_error(api, 503)
    assert api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = anyone.get("/engines/", **{BOOM: "database"})
    assert page.status_code == 503 and page["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = page.content.decode()
    assert "Service unavailable" in html and page["X-Request-ID"] in html
    assert "navbar" in html  # the site's own layout


def test_read_only_or_full_database_counts_as_unavailable():
    read_only = InternalError("cannot execute INSERT in a read-only transaction")
    read_only.__cause__ = psycopg.errors.ReadOnlySqlTransaction()
    disk_full = OperationalError("could not extend file: No space left on device")
    disk_full.__cause__ = psycopg.errors.DiskFull()
    sqlite_read_only = OperationalError("attempt to write a readonly database")
    bug = ProgrammingError('relation "nope" does not exist')
    bug.__cause__ = psycopg.errors.UndefinedTable()
    assert database_unavailable(read_only) and database_unavailable(disk_full)
    assert database_unavailable(sqlite_read_only)
    assert not database_unavailable(bug) and not database_unavailable(ValueError())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_read_only_postgres_is_a_503_json(admin_user, token_for):
    api = Client(raise_request_exception=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(admin_user)}"}
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        response = api.post(
            "/api/v1/engine-registry/",
            data=json.dumps({"name": "read-only-test", "provider": "ollama"}),
            content_type="application/json",
            **auth,
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
    assert_api_error(response, 503)
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


# --- body too large ---------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_json_body_over_the_limit_is_a_413_naming_it(admin_user, token_for):
    api = Client(raise_request_exception=False)
    payload = json.dumps({"name": "big", "provider": "ollama", "config": {"x": "y" * 5000}})
    response = api.post(
        "/api/v1/engine-registry/",
        data=payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(admin_user)}",
    )
    body = assert_api_error(response, 413)
    assert "1000 bytes" in body["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_form_body_over_the_limit_is_a_413_page(admin_page_client):
    response = admin_page_client.post("/engines/new/", {"name": "x" * 5000})
    assert response.status_code == 413
    html = response.content.decode()
    assert "1000 bytes" in html and "navbar" in html


# --- unexpected errors -------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIDFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def request_log():
    handler = Collect()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@with_failing_middleware
def test_unexpected_error_is_a_500_json_with_the_request_id(anyone, request_log):
    response = anyone.get("/api/v1/engine-registry/", **{BOOM: "bug"})
    body = assert_api_error(response, 500)
    request_id = response["X-Request-ID"]
    assert request_id in body["detail"]
    assert "secret internal detail" not in response.content.decode()
    logged = [record for record in request_log if record.exc_info]
    assert logged and logged[0].request_id == request_id
    assert "secret internal detail" in str(logged[0].exc_info[1])


@with_failing_middleware
def test_unexpected_error_on_a_page_is_the_styled_500_page(anyone):
    response = anyone.get("/engines/", **{BOOM: "bug"})
    assert response.status_code == 500
    html = response.content.decode()
    assert "Server error" in html and response["X-Request-ID"] in html
    assert "navbar" in html and "secret internal detail" not in html
    assert "Traceback" not in html


def test_not_found_and_forbidden_pages_are_styled(admin_page_client, reader):
    missing = admin_page_client.get("/no-such-page/<b>x</b>")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "Not found" in html and missing["X-Request-ID"] in html and "<b>x</b>" not in html
    assert "Log out" in html  # the logged-in layout
    reader_client = Client(raise_request_exception=False)
    reader_client.force_login(reader)
    refused = reader_client.get("/engines/new/")
    assert refused.status_code == 403
    assert "Not allowed" in refused.content.decode()
    api_missing = admin_page_client.get("/api/v1/nothing-here/")
    assert_api_error(api_missing, 404)


def test_a_refused_csrf_token_gets_the_styled_page(admin_user):
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(admin_user)
    response = browser.post("/engines/new/", {"name": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Form expired" in html and "navbar" in html and "style=" not in html


def test_the_schema_documents_the_failures_of_every_operation(admin_page_client):
    schema = admin_page_client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        responses = operation["responses"]
        assert {"429", "500", "503"} <= set(responses), (path, method)
        assert "Retry-After" in responses["503"]["headers"]
        body = responses["503"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}
        if "requestBody" in operation and method in ("post", "put", "patch"):
            assert "413" in responses, (path, method)
    assert "Error" in schema["components"]["schemas"]


def test_a_body_over_the_default_limit_is_a_413_json(admin_user, token_for):
    api = Client(raise_request_exception=False)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    payload = json.dumps({"name": "big", "provider": "ollama", "config": {"x": "y" * limit}})
    response = api.post(
        "/api/v1/engine-registry/",
        data=payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(admin_user)}",
    )
    body = assert_api_error(response, 413)
    assert f"the limit is {limit} bytes" in body["detail"]
