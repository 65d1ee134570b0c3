"""The API's content negotiation answers as DRF's for every Accept header, including the
common ones it selects without parsing."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from inventory.api.lists import FormatParameterNegotiation

RENDERER_LISTS = [
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [TemplateHTMLRenderer()],
]
ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "text/html",
    "application/json; indent=4",
    "text/html, application/json;q=0.9, */*;q=0.8",
    "application/*",
]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("renderers", RENDERER_LISTS)
def test_the_same_renderer_and_media_type_as_drf(accept, renderers):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/", **headers))

    def select(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except Exception as error:  # the refusal is compared too
            return type(error)
        return type(renderer), media_type

    assert select(FormatParameterNegotiation()) == select(DefaultContentNegotiation())
