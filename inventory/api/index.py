"""``GET /api/v1/``: every endpoint of the API, read from its URL configuration.

Each named route without a path parameter is listed under its name with its absolute URL,
so the index lists whatever the URL configuration holds, new endpoints included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .lists import StrictQuery

VERSION_PREFIX = "v1/"


def has_parameters(pattern: URLPattern) -> bool:
    return pattern.pattern.regex.groups > 0 or "<" in str(pattern.pattern)


def named_routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(name, route)`` of every named pattern without path parameters."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from named_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name and not has_parameters(pattern):
            yield pattern.name, route


class ApiIndexView(StrictQuery, APIView):
    """The endpoints of ``/api/v1/`` and the schema and documentation pages."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["api"],
        operation_id="api_index",
        summary="List the API's endpoints",
        description="Each endpoint without a path parameter, by route name, with its URL.",
        responses={
            200: inline_serializer(
                "ApiIndex", {"endpoints": serializers.DictField(child=serializers.URLField())}
            )
        },
    )
    def get(self, request: Request) -> Response:
        from . import urls

        self.strict_query(request, ())
        endpoints = {
            name: request.build_absolute_uri(reverse(f"api:{name}"))
            for name, route in named_routes(urls.urlpatterns)
            if route.startswith(VERSION_PREFIX) or name in ("schema", "docs", "redoc")
        }
        return Response({"endpoints": dict(sorted(endpoints.items()))})
