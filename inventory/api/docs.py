"""The API documentation pages (Swagger UI and Redoc), served entirely from this site.

Both pages load the vendored sidecar assets. Redoc's stock page links Google Fonts and its
sidebar credit loads a logo from Redocly's CDN, so the Redoc page drops the font links and
both pages carry a Content-Security-Policy that keeps the browser on this origin.
"""

from __future__ import annotations

from typing import Any

from django.template import engines
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

SAME_ORIGIN_ONLY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The stock page without its Google Fonts links (Redoc falls back to the system fonts).
REDOC_PAGE = """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
{% endblock head %}"""


class SameOriginOnly:
    """Send the docs page with a policy that refuses any request to another origin."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response


class RedocPageRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names: list[str]) -> Any:
        return engines["django"].from_string(REDOC_PAGE)


class SwaggerView(SameOriginOnly, SpectacularSwaggerView):
    pass


class RedocView(SameOriginOnly, SpectacularRedocView):
    renderer_classes = [RedocPageRenderer]
