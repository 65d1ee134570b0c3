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
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from inventory.errors import RegistryValidationError, refuse_unknown_keys, unknown_keys_error
from inventory.listing import parse_bool
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk
from inventory.values import parse_id
from inventory.workflows import permissions as needs
from inventory.workflows import transfer

from . import workflow_serializers as shapes
from .import_limits import import_limit, read_import_body, refuse_if_too_large
from .lists import CONFIRM_PARAM
from .parsers import JSONParser
from .serializers import ErrorSerializer, row_serializer
from .views import ID_PARAMETER, no_parameters, query_values
from .views import _errors as errors_for

WORKFLOWS = module_sdk.workflows
JSON = "application/json"
CONFIRM = CONFIRM_PARAM
ALLOW = shapes.ALLOW_PARAM
MOVE_UNKNOWN = shapes.MOVE_UNKNOWN_PARAM
TAGS = ["workflows"]


class WorkflowPermission(permissions.BasePermission):
    """The view's ``required_perms[method]``, all of them (a superuser has every one)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.has_perms(view.required_perms.get(request.method, ["inventory.nobody"]))


def payload(request: Request, shape: type[Serializer]) -> dict:
    """The JSON body as an object with only the keys ``shape`` describes and every one it
    requires."""
    data = request.data
    if not isinstance(data, Mapping):
        raise RegistryValidationError({"payload": ["payload must be a JSON object"]})
    check_keys(data, shape)
    return {key: data[key] for key in data}


def check_keys(data: Mapping[str, Any], shape: type[Serializer]) -> None:
    allowed = shapes.allowed_keys(shape)
    unknown = [key for key in data if key not in allowed]
    errors = unknown_keys_error(unknown, allowed).errors if unknown else {}
    errors.update(
        {key: [f"{key} is required"] for key in shapes.required_keys(shape) if key not in data}
    )
    if errors:
        raise RegistryValidationError(errors)


def flag(values: Mapping[str, Any], key: str) -> bool:
    return parse_bool(key, values[key]) if key in values else False


def model_or_404(pk: str) -> int:
    """The parsed id (a malformed one is a 400, as in the SDK) of an existing registered row;
    a missing row is a 404 with the SDK's message."""
    parsed = parse_id("id", pk)
    if not RegisteredModel.objects.filter(pk=parsed).exists():
        raise exceptions.NotFound(f"registered model {parsed} does not exist")
    return parsed


class BindView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"POST": needs.BIND}

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_bind",
        summary="Bind a catalog model to an engine",
        description="Like module_sdk.workflows.bind(): creates (201) or updates (200) the "
        "registered row of this engine and catalog model, named engine_<engine id>__<catalog "
        "name>, with remote_url, version, capabilities, model_path and VRAM/RAM taken from the "
        "catalog row, extra_config merged as catalog defaults < existing row < extra_config "
        "given, and status active. A catalog model whose provider_hint or "
        "source_payload.compatible_engines does not admit the engine's provider is refused.",
        request={JSON: shapes.BindSerializer},
        responses={
            201: OpenApiResponse(shapes.BindResultSerializer, description="Created."),
            200: OpenApiResponse(shapes.BindResultSerializer, description="Updated."),
            **errors_for(400),
        },
    )
    def post(self, request: Request) -> Response:
        data = payload(request, shapes.BindSerializer)
        result = WORKFLOWS.bind(
            data["engine_id"],
            data["available_model_id"],
            data.get("extra_config"),
            flag(data, CONFIRM),
            flag(data, ALLOW),
            data.get("name"),
        )
        code = status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK
        return Response(result, status=code)


class DeactivateView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"POST": needs.DEACTIVATE}

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_deactivate",
        summary="Deactivate a registered model (status back to available; the row is kept)",
        description="The knowledge embedding model, while knowledge is enabled, needs "
        "confirm_embedding_model_change.",
        request={JSON: shapes.DeactivateSerializer},
        parameters=[ID_PARAMETER],
        responses={
            200: OpenApiResponse(row_serializer("model_registry"), description="The row."),
            **errors_for(400, 404),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        data = payload(request, shapes.DeactivateSerializer) if request.data else {}
        row = WORKFLOWS.deactivate(pk, flag(data, CONFIRM))
        if row is None:
            raise exceptions.NotFound(f"no model_registry row with id {pk}")
        return Response(row)


class ReconcileView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.RECONCILE_VIEW, "POST": needs.RECONCILE_APPLY}

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_reconcile",
        summary="Differences between a registered model and its catalog model",
        description="Field by field: remote_url, version, capabilities, model_path against "
        "the catalog's storage_ref (else remote_url), vram_required_mb/ram_required_mb "
        "against its requirements, and each catalog extra_config default as "
        "extra_config.<key>. Nothing is written. A row with no catalog link is a 400.",
        parameters=[ID_PARAMETER],
        responses={200: shapes.ReconcileSerializer, **errors_for(400, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        no_parameters(request)
        return Response(WORKFLOWS.reconcile(model_or_404(pk)))

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_apply_reconcile",
        summary="Apply catalog differences to a registered model",
        description="Writes the chosen differences (all by default) through the model's "
        "validation, in one transaction; returns what was applied, the differences left "
        "and the row.",
        request={JSON: shapes.ApplyReconcileSerializer},
        parameters=[ID_PARAMETER],
        responses={200: shapes.ApplyReconcileResultSerializer, **errors_for(400, 404)},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = model_or_404(pk)
        data = payload(request, shapes.ApplyReconcileSerializer) if request.data else {}
        return Response(
            WORKFLOWS.apply_reconcile(
                pk, data.get("fields"), flag(data, CONFIRM), flag(data, ALLOW)
            )
        )


class StaleView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.STALE_VIEW, "POST": needs.STALE_PRUNE}

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_find_stale",
        summary="Stale registered models",
        description="Rows whose engine is uninstalled or in error, whose catalog link is gone "
        "(a binding whose catalog model was deleted) or whose status is error/disabled. The "
        "knowledge embedding model is listed under kept, never pruned.",
        parameters=[OpenApiParameter("engine_id", int, description="Only this engine.")],
        responses={200: shapes.StaleReportSerializer, **errors_for(400)},
    )
    def get(self, request: Request) -> Response:
        params = query_values(request)
        refuse_unknown_keys(params, ["engine_id"], "parameter")
        return Response(WORKFLOWS.find_stale(params.get("engine_id") or None))

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_prune_stale",
        summary="Prune listed stale registered models",
        description="Deletes exactly the listed rows when confirm is true; without it, "
        "reports what would be deleted. Refused as a whole when a listed row is no longer "
        "stale or is the knowledge embedding model. Storage on disk is not touched.",
        request={JSON: shapes.PruneStaleSerializer},
        responses={200: shapes.PruneStaleResultSerializer, **errors_for(400)},
    )
    def post(self, request: Request) -> Response:
        data = payload(request, shapes.PruneStaleSerializer)
        return Response(WORKFLOWS.prune_stale(data["ids"], flag(data, "confirm")))


class ExportView(APIView):
    permission_classes = [WorkflowPermission]
    required_perms = {"GET": needs.EXPORT}

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_export_inventory",
        summary="Export the whole inventory (JSON or YAML)",
        description="Engines, catalog, registered models and knowledge settings, streamed as "
        "an attachment. Rows are sorted by name and refer to each other by name; importing "
        "the file into an empty database and exporting again gives the same bytes.",
        parameters=[
            OpenApiParameter("format", str, enum=list(transfer.EXPORT_FORMATS), default="json")
        ],
        responses={
            (200, JSON): shapes.InventoryExportSerializer,
            (200, "application/yaml"): shapes.InventoryExportSerializer,
            **errors_for(400),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        params = query_values(request)
        refuse_unknown_keys(params, ["format"], "parameter")
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

    @property
    def max_body_size(self) -> int:
        """The JSON parser's body limit for this view (see ``inventory.api.parsers``)."""
        return import_limit()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            read_import_body(request)

    @extend_schema(
        tags=TAGS,
        operation_id="workflows_import_inventory",
        summary="Import an inventory file (dry run unless apply)",
        description="An export file (JSON or YAML) or a list's CSV export (catalog rows, "
        "registered models or engines, told apart by the header), as text in a JSON "
        "body or as a multipart upload. Rows are matched by name: created, updated or left "
        "unchanged. Returns the whole per-row report; with apply in mode all (the default), "
        "everything is written in one transaction, or nothing: a refused apply answers 400 "
        "with the report. In mode partial, the valid rows are written in one transaction and "
        "the report lists the refused ones (200).",
        request={
            JSON: shapes.ImportTextSerializer,
            "multipart/form-data": shapes.ImportUploadSerializer,
        },
        responses={
            200: shapes.ImportReportSerializer,
            400: OpenApiResponse(
                shapes.ImportRefusedSerializer, description="Invalid input or rows refused."
            ),
            413: OpenApiResponse(
                ErrorSerializer,
                description="The body is larger than the import limit (IMPORT_MAX_MB, 64 MB "
                "by default), named in the message.",
            ),
            **errors_for(),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is not None:
            refuse_if_too_large(upload.size)
            data = {key: request.data[key] for key in request.data if key != "file"}
            check_keys(request.data, shapes.ImportUploadSerializer)
            text: Any = upload.file  # streamed from Django's (temporary) file
            fmt = data.get("format") or transfer.format_for(upload.name or "")
        else:
            data = payload(request, shapes.ImportTextSerializer)
            text, fmt = data["text"], data.get("format") or "json"
            if not isinstance(text, str):
                raise RegistryValidationError({"text": ["text must be the file's content"]})
        try:
            report = WORKFLOWS.import_inventory(
                text,
                fmt,
                flag(data, "apply"),
                flag(data, CONFIRM),
                allow_over_capacity=flag(data, ALLOW),
                mode=data.get("mode"),
                move_unknown_capabilities=flag(data, MOVE_UNKNOWN),
            )
        except transfer.InventoryImportError as error:
            return Response(
                {**error.as_dict(), "report": error.report}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(report)


urlpatterns = [
    path("model-registry/bind/", BindView.as_view(), name="workflow-bind"),
    path(
        "model-registry/<str:pk>/deactivate/", DeactivateView.as_view(), name="workflow-deactivate"
    ),
    path("model-registry/<str:pk>/reconcile/", ReconcileView.as_view(), name="workflow-reconcile"),
    path("model-registry/stale/", StaleView.as_view(), name="workflow-stale"),
    path("inventory/export/", ExportView.as_view(), name="inventory-export"),
    path("inventory/import/", ImportView.as_view(), name="inventory-import"),
]
