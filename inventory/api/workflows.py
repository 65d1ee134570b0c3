"""The workflow endpoints: bind, deactivate, reconcile, stale rows, export and import.

Each view is a thin door over ``module_sdk.workflows`` (``inventory.workflows.facade``): the
same payloads, results and errors (HTTP 400 ``{"detail", "errors"}``) as the SDK. Access is
by Django model permissions, per method, like the entity endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.errors import RegistryValidationError
from inventory.listing import parse_bool
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk
from inventory.workflows import permissions as needs
from inventory.workflows import transfer

from . import schema
from .views import query_values

WORKFLOWS = module_sdk.workflows
ERROR = OpenApiResponse(schema.ref(schema.ERROR), description="Invalid input or not permitted.")
OBJECT = OpenApiTypes.OBJECT


class WorkflowPermission(permissions.BasePermission):
    """The view's ``required_perms[method]``, all of them (a superuser has every one)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_perms(view.required_perms.get(request.method, ["inventory.nobody"]))


def payload(request: Request, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    """The JSON body as an object with only ``allowed`` keys and every ``required`` one."""
    data = request.data
    if not isinstance(data, Mapping):
        raise RegistryValidationError({"payload": ["payload must be a JSON object"]})
    unknown = [key for key in data if key not in allowed]
    errors = {key: [f"unknown field {key!r}; fields: {', '.join(allowed)}"] for key in unknown}
    errors.update({key: [f"{key} is required"] for key in required if key not in data})
    if errors:
        raise RegistryValidationError(errors)
    return {key: data[key] for key in data}


def flag(values: Mapping[str, Any], key: str) -> bool:
    return parse_bool(key, values[key]) if key in values else False


def model_or_404(pk: int) -> None:
    if not RegisteredModel.objects.filter(pk=pk).exists():
        raise exceptions.NotFound(f"no model_registry row with id {pk}")


TAGS = ["workflows"]
CONFIRM = schema.CONFIRM_PARAM


class BindView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"POST": needs.BIND}

    @extend_schema(
        tags=TAGS,
        summary="Bind a catalog model to an engine",
        description="Creates (201) or updates (200) the registered row "
        "engine_<engine id>__<catalog name> from the catalog row, status active. Body: "
        "engine_id, available_model_id, optional extra_config (merged over the catalog "
        f"defaults and the existing row) and {CONFIRM}. Returns {{created, row}}.",
        request=OBJECT,
        responses={200: OBJECT, 201: OBJECT, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = payload(
            request,
            ("engine_id", "available_model_id", "extra_config", CONFIRM),
            ("engine_id", "available_model_id"),
        )
        result = WORKFLOWS.bind(
            data["engine_id"],
            data["available_model_id"],
            data.get("extra_config"),
            flag(data, CONFIRM),
        )
        code = status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK
        return Response(result, status=code)


class DeactivateView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"POST": needs.DEACTIVATE}

    @extend_schema(
        tags=TAGS,
        summary="Deactivate a registered model (status back to available; the row is kept)",
        request=None,
        responses={200: OBJECT, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = WORKFLOWS.deactivate(pk)
        if row is None:
            raise exceptions.NotFound(f"no model_registry row with id {pk}")
        return Response(row)


class ReconcileView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.RECONCILE_VIEW, "POST": needs.RECONCILE_APPLY}

    @extend_schema(
        tags=TAGS,
        summary="Differences between a registered model and its catalog model",
        responses={200: OBJECT, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request, pk: int) -> Response:
        model_or_404(pk)
        return Response(WORKFLOWS.reconcile(pk))

    @extend_schema(
        tags=TAGS,
        summary="Apply catalog differences to a registered model",
        description=f"Body: optional fields (the differing fields to apply; all by default) and "
        f"{CONFIRM}. Returns {{applied, reconcile, row}}.",
        request=OBJECT,
        responses={200: OBJECT, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        model_or_404(pk)
        data = payload(request, ("fields", CONFIRM)) if request.data else {}
        return Response(WORKFLOWS.apply_reconcile(pk, data.get("fields"), flag(data, CONFIRM)))


class StaleView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.STALE_VIEW, "POST": needs.STALE_PRUNE}

    @extend_schema(
        tags=TAGS,
        summary="Stale registered models",
        description="Rows whose engine is uninstalled or in error, whose catalog link is gone "
        "or whose status is error/disabled. The knowledge embedding model is listed under "
        "kept, never pruned.",
        parameters=[OpenApiParameter("engine_id", int, description="Only this engine.")],
        responses={200: OBJECT, 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        params = query_values(request)
        unknown = [key for key in params if key != "engine_id"]
        if unknown:
            raise RegistryValidationError({unknown[0]: [f"unknown parameter {unknown[0]!r}"]})
        return Response(WORKFLOWS.find_stale(params.get("engine_id") or None))

    @extend_schema(
        tags=TAGS,
        summary="Prune listed stale registered models",
        description="Body: ids (as listed by GET) and confirm. Without confirm, reports what "
        "would be deleted. Refused as a whole when a listed row is no longer stale. Storage "
        "on disk is not touched.",
        request=OBJECT,
        responses={200: OBJECT, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = payload(request, ("ids", "confirm"), ("ids",))
        return Response(WORKFLOWS.prune_stale(data["ids"], flag(data, "confirm")))


class ExportView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.EXPORT}

    @extend_schema(
        tags=TAGS,
        summary="Export the whole inventory (JSON or YAML)",
        parameters=[OpenApiParameter("format", str, enum=list(transfer.EXPORT_FORMATS))],
        responses={
            (200, "application/json"): OBJECT,
            (200, "application/yaml"): OBJECT,
            400: ERROR,
            403: ERROR,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        params = query_values(request)
        unknown = [key for key in params if key != "format"]
        if unknown:
            raise RegistryValidationError({unknown[0]: [f"unknown parameter {unknown[0]!r}"]})
        fmt = str(params.get("format") or "json")
        filename = transfer.export_filename(fmt)
        response = StreamingHttpResponse(
            transfer.export_chunks(fmt), content_type=f"application/{filename.rsplit('.')[-1]}"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportView(APIView):
    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perms = {"POST": needs.IMPORT}

    @extend_schema(
        tags=TAGS,
        summary="Import an inventory file (dry run unless apply)",
        description="JSON body {text, format, apply, "
        f"{CONFIRM}}} or a multipart upload with a file field. Returns the per-row report; "
        "a refused apply answers 400 with the report and writes nothing.",
        request=OBJECT,
        responses={200: OBJECT, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is not None:
            data = {key: request.data[key] for key in request.data if key != "file"}
            unknown = [key for key in data if key not in ("format", "apply", CONFIRM)]
            if unknown:
                raise RegistryValidationError({key: ["unknown field"] for key in unknown})
            text: Any = upload.read()
            fmt = data.get("format") or transfer.format_for(upload.name or "")
        else:
            data = payload(request, ("text", "format", "apply", CONFIRM), ("text",))
            text, fmt = data["text"], data.get("format") or "json"
            if not isinstance(text, str):
                raise RegistryValidationError({"text": ["text must be the file's content"]})
        try:
            report = WORKFLOWS.import_inventory(text, fmt, flag(data, "apply"), flag(data, CONFIRM))
        except transfer.InventoryImportError as error:
            return Response(
                {**error.as_dict(), "report": error.report}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(report)


urlpatterns = [
    path("model-registry/bind/", BindView.as_view(), name="workflow-bind"),
    path(
        "model-registry/<int:pk>/deactivate/", DeactivateView.as_view(), name="workflow-deactivate"
    ),
    path("model-registry/<int:pk>/reconcile/", ReconcileView.as_view(), name="workflow-reconcile"),
    path("model-registry/stale/", StaleView.as_view(), name="workflow-stale"),
    path("inventory/export/", ExportView.as_view(), name="inventory-export"),
    path("inventory/import/", ImportView.as_view(), name="inventory-import"),
]
