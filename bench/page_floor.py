"""The least a list page can cost in this stack, for ``scale_rows.py``.

The floor of a page is a request for a view that does only what no page design can leave
out: it passes through the same middleware, reads the same session and user (the view is
``login_required``), runs the SQL statements the page itself ran (captured from one real
request, the session read left out), fetches every row they return on the bare cursor, and
answers the page's own bytes (captured from the same request) without rendering anything.
No form, template, table or model instance is built, and the rows are not converted by
the ORM (timestamps are parsed by psycopg alone, JSON is not decoded).

Used as the URL configuration of the bench's requests (``override_settings``): the site's
own URLs plus ``FLOOR_URL``, read by Django once set up (``scale_rows`` imports this module
before that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

FLOOR_URL = "/bench/page-floor/"


@dataclass
class CapturedPage:
    """What one request of a page ran and answered."""

    statements: list[tuple[str, Any]] = field(default_factory=list)
    content: bytes = b""
    content_type: str = "text/html; charset=utf-8"


CAPTURED = CapturedPage()


def capture(client: Any, url: str) -> CapturedPage:
    """Request ``url`` once and keep its statements (but the session read, which the
    floor's own request runs) and its bytes as the floor's to replay."""
    from inventory.models import UserSession

    session_table = connection.ops.quote_name(UserSession._meta.db_table)
    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    CAPTURED.statements = [item for item in statements if session_table not in item[0]]
    CAPTURED.content = response.content
    CAPTURED.content_type = response["Content-Type"]
    return CAPTURED


@login_required
def floor_view(request: HttpRequest) -> HttpResponse:
    """Run the captured statements, read all their rows, answer the captured bytes."""
    with connection.cursor() as cursor:
        for sql, params in CAPTURED.statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    return HttpResponse(CAPTURED.content, content_type=CAPTURED.content_type)


def __getattr__(name: str) -> list[URLPattern | URLResolver]:
    """``urlpatterns``, built when Django first resolves a URL with this configuration."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from registry_site.urls import urlpatterns as site_urlpatterns

    return [path(FLOOR_URL.lstrip("/"), floor_view), *site_urlpatterns]
