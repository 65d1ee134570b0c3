"""The browsable API (HTML pages of ``/api/v1/`` for logged-in users) under the site's
Content-Security-Policy.

DRF's page template positions two controls with one inline ``style`` attribute and inlines
the code highlighting rules in a ``<style>`` element; instead of allowing inline styles, the
policy of these pages admits exactly that attribute value (``'unsafe-hashes'``) and that
element, by hash, and nothing else. Everything else on the page is escaped, so a
``<style>`` element in it is the template's own.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from rest_framework.renderers import BrowsableAPIRenderer

#: The inline style attribute values of ``rest_framework/base.html``.
TEMPLATE_STYLES = ("float: right; margin-right: 10px",)


def style_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


class BrowsableAPI(BrowsableAPIRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> Any:
        page = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            inline = [*TEMPLATE_STYLES, *STYLE_ELEMENT.findall(page)]
            # read by csp.middleware.CSPMiddleware
            response._csp_update = {"style-src": ["'unsafe-hashes'", *map(style_hash, inline)]}
        return page
