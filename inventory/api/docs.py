"""The API documentation pages (Swagger UI and Redoc), served entirely from this site.

Both pages load the vendored sidecar assets and carry no inline script: Swagger UI's
start-up script is fetched from the same view (``?script``), Redoc starts from its
``<redoc spec-url>`` element. Redoc's stock page links Google Fonts; ours drops them (Redoc
falls back to the system fonts). The site's Content-Security-Policy (django-csp) applies,
widened here only for what the two bundles need at run time: the ``<style>`` elements Redoc
injects, images as data/blob URLs and Redoc's blob worker. Its sidebar credit, a logo on
Redocly's CDN, is refused by the policy. Both pages need a login, like the schema itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

DOCS_POLICY = {
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "worker-src": ["'self'", "blob:"],
}


class DocsPolicy:
    """The site's policy, with ``DOCS_POLICY``'s directives replaced."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response._csp_replace = DOCS_POLICY  # read by csp.middleware.CSPMiddleware
        return response


class SwaggerView(DocsPolicy, SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


class RedocView(DocsPolicy, SpectacularRedocView):
    template_name = "api/redoc.html"


def docs_page(view: type) -> Any:
    """The page, for logged-in users only (others are sent to the login page)."""
    return login_required(view.as_view(url_name="api:schema"))
