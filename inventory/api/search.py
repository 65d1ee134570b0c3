"""``GET /api/v1/search/?q=``: the global search of the pages, for modules.

The same function as the navigation bar's search page (``inventory.search.search``): each
entity the caller may view, searched with its list's quick search (``q``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.declarations import DECLARATIONS
from inventory.search import COUNT_CAP, DEFAULT_LIMIT, MAX_LIMIT, search

from .lists import StrictQuery
from .views import _errors

SEARCHED = "; ".join(
    f"{key}: {', '.join(declaration.search.attrs)}" for key, declaration in DECLARATIONS.items()
)


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    field = serializers.CharField(help_text="The first searched field holding the text.")
    label = serializers.CharField(help_text="That field's label, as the pages show it.")
    value = serializers.CharField(help_text="That field's value.")


class SearchGroupSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(choices=list(DECLARATIONS))
    total = serializers.IntegerField(
        min_value=0, help_text=f"Matching rows, counted up to {COUNT_CAP}."
    )
    capped = serializers.BooleanField(help_text=f"More than {COUNT_CAP} rows match.")
    hits = SearchHitSerializer(many=True, help_text="The first matching rows, by id.")


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True, help_text="The searched text, trimmed.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT)
    groups = SearchGroupSerializer(many=True)


def visible_entities(user: Any) -> list[str]:
    """The entities whose rows ``user`` may view."""
    return [
        key
        for key, declaration in DECLARATIONS.items()
        if user.has_perm(
            f"{declaration.model._meta.app_label}.view_{declaration.model._meta.model_name}"
        )
    ]


class SearchView(StrictQuery, APIView):
    """Engines, catalog rows and registered models holding a text."""

    permission_classes = [permissions.IsAuthenticated]
    query_params_taken = ("q", "limit", "entity")

    @extend_schema(
        tags=["search"],
        operation_id="search",
        summary="Search engines, catalog rows and registered models",
        description="Case-insensitive substring over the fields each list's quick search `q` "
        f"reads ({SEARCHED}); one group per entity the caller may view, in that order, each "
        "with its total (capped) and first rows. An empty `q` finds nothing.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="The text to find."),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Rows per entity, clamped to 1..{MAX_LIMIT} "
                f"(default {DEFAULT_LIMIT}).",
            ),
            OpenApiParameter(
                "entity",
                OpenApiTypes.STR,
                enum=list(DECLARATIONS),
                many=True,
                explode=True,
                description="Search only these entities (repeat the parameter); all by default.",
            ),
        ],
        responses={200: SearchResultSerializer, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        self.strict_query(request)
        visible = visible_entities(request.user)
        wanted = request.query_params.getlist("entity")
        entities = [key for key in wanted if key not in DECLARATIONS or key in visible]
        result = search(
            request.query_params.get("q"),
            request.query_params.get("limit"),
            entities if wanted else visible,
        )
        return Response(SearchResultSerializer(asdict(result)).data)


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
