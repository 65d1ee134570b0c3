"""``GET /api/v1/engine-registry/{id}/secrets/``: an engine's config with its secrets in clear.

Rows everywhere else show secrets masked. This endpoint is for modules that must call the
engine; it needs ``inventory.view_engine`` and ``inventory.view_engine_secrets``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import secrets
from inventory.values import parse_id

from .serializers import ErrorSerializer
from .views import ID_PARAMETER, no_parameters


class SecretsPermission(permissions.BasePermission):
    message = "reading engine secrets in clear needs the permission inventory.view_engine_secrets"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.has_perms(["inventory.view_engine", secrets.REVEAL_PERMISSION]))


class SecretsUnreadable(exceptions.APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "secrets_unreadable"


class EngineSecretsSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Engine id.")
    name = serializers.CharField(help_text="Engine name.")
    config = serializers.DictField(
        help_text="The engine config with every secret decrypted (rows show them as "
        f"{secrets.MASK!r})."
    )


class EngineSecretsView(APIView):
    permission_classes = [permissions.IsAuthenticated, SecretsPermission]

    @extend_schema(
        operation_id="engine_registry_secrets",
        tags=["engine_registry"],
        summary="An engine's config with its secrets in clear",
        description="Like the SDK's module_sdk.models.engine_registry.view_secrets(id). Needs "
        "the permissions inventory.view_engine and inventory.view_engine_secrets; every read "
        "is logged (without the values).",
        parameters=[ID_PARAMETER],
        responses={
            200: EngineSecretsSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Malformed id."),
            403: OpenApiResponse(ErrorSerializer, description="Permission missing."),
            404: OpenApiResponse(ErrorSerializer, description="No such engine."),
            500: OpenApiResponse(
                ErrorSerializer,
                description="A stored secret cannot be decrypted with REGISTRY_SECRETS_KEYS.",
            ),
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        no_parameters(request)
        row_id = parse_id("id", pk)
        try:
            found = secrets.clear_config_of(row_id)
        except secrets.SecretsError as error:
            raise SecretsUnreadable(str(error)) from error
        if found is None:
            raise exceptions.NotFound(f"no engine_registry row with id {row_id}")
        return Response(EngineSecretsSerializer(found).data, headers={"Cache-Control": "no-store"})


urlpatterns = [
    path(
        "engine-registry/<str:pk>/secrets/",
        EngineSecretsView.as_view(),
        name="engine-registry-secrets",
    ),
]
