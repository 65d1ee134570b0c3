"""The governed vocabularies over HTTP: ``/api/v1/vocabulary/terms/`` and ``…/aliases/``.

Listing needs a login; adding needs ``add_vocabularyterm`` / ``add_vocabularyalias``,
removing ``delete_vocabularyterm`` / ``delete_vocabularyalias``. The views call
``inventory.vocabulary_service``, as ``module_sdk.vocabulary`` does.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import vocabulary_service as service
from inventory.errors import refuse_unknown_keys
from inventory.vocabularies import KINDS

from .serializers import ErrorSerializer

KIND_HELP = "Vocabulary: " + ", ".join(KINDS) + " (feature = extended capabilities)."


class TermSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), help_text=KIND_HELP)
    name = serializers.CharField(help_text="Canonical name: lower-case letters, digits, _ . +")
    label = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    built_in = serializers.BooleanField(read_only=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)


class AliasSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), help_text=KIND_HELP)
    alias = serializers.CharField(help_text="Another spelling accepted for the term.")
    term = serializers.CharField(help_text="The term the alias stands for.")
    built_in = serializers.BooleanField(read_only=True)


KIND_PARAMETER = OpenApiParameter(
    "kind", str, OpenApiParameter.QUERY, required=False, enum=list(KINDS), description=KIND_HELP
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, "Invalid input, with messages by field."),
    403: OpenApiResponse(ErrorSerializer, "Not permitted."),
}


class VocabularyPermission(permissions.BasePermission):
    """Reads for any logged-in user; writes need the model's ``add_``/``delete_`` permission."""

    actions = {"POST": "add", "DELETE": "delete"}

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        action = self.actions.get(request.method)
        if action is None:
            return True
        return request.user.has_perm(f"inventory.{action}_{view.model_name}")


def _kind_param(request: Request) -> str | None:
    refuse_unknown_keys(request.query_params, ["kind"], "parameter")
    return request.query_params.get("kind")


class TermsView(APIView):
    permission_classes = [VocabularyPermission]
    model_name = "vocabularyterm"

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_terms_list",
        summary="Terms of the governed vocabularies (built-in and added), with their aliases",
        parameters=[KIND_PARAMETER],
        responses={200: TermSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(service.list_terms(_kind_param(request)))

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_terms_add",
        summary="Add a term; it is accepted at once by every door",
        request=TermSerializer,
        responses={201: TermSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        return Response(service.add_term(request.data), status=status.HTTP_201_CREATED)


class TermDetailView(APIView):
    permission_classes = [VocabularyPermission]
    model_name = "vocabularyterm"

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_terms_remove",
        summary="Remove an added term that no row uses",
        responses={
            204: None,
            404: OpenApiResponse(ErrorSerializer, "No such term."),
            409: OpenApiResponse(ErrorSerializer, "Built in, or still used (where is named)."),
            **ERRORS,
        },
    )
    def delete(self, request: Request, kind: str, name: str) -> Response:
        _kind_param(request)
        if not service.remove_term(kind, name):
            raise exceptions.NotFound(f"no {kind} term {name!r}")
        return Response(status=status.HTTP_204_NO_CONTENT)


class AliasesView(APIView):
    permission_classes = [VocabularyPermission]
    model_name = "vocabularyalias"

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_aliases_list",
        summary="Aliases of the governed vocabularies (built-in and added)",
        parameters=[KIND_PARAMETER],
        responses={200: AliasSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(service.list_aliases(_kind_param(request)))

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_aliases_add",
        summary="Add an alias of a term (renaming is done with an alias)",
        request=AliasSerializer,
        responses={201: AliasSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        return Response(service.add_alias(request.data), status=status.HTTP_201_CREATED)


class AliasDetailView(APIView):
    permission_classes = [VocabularyPermission]
    model_name = "vocabularyalias"

    @extend_schema(
        tags=["vocabulary"],
        operation_id="vocabulary_aliases_remove",
        summary="Remove an added alias",
        responses={
            204: None,
            404: OpenApiResponse(ErrorSerializer, "No such alias."),
            409: OpenApiResponse(ErrorSerializer, "A built-in alias."),
            **ERRORS,
        },
    )
    def delete(self, request: Request, kind: str, alias: str) -> Response:
        _kind_param(request)
        if not service.remove_alias(kind, alias):
            raise exceptions.NotFound(f"no {kind} alias {alias!r}")
        return Response(status=status.HTTP_204_NO_CONTENT)
