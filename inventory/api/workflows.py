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
from rest_framework.views import APIView

from inventory.errors import RegistryValidationError, refuse_unknown_keys, unknown_keys_error
from inventory.listing import parse_bool
from inventory.models import RegisteredModel
from inventory.sdk import module_sdk
from inventory.values import parse_id
from inventory.workflows import permissions as needs
from inventory.workflows import transfer

from . import schema
from .import_limits import import_limit, read_import_body, refuse_if_too_large
from .parsers import JSONParser
from .views import ID_PARAMETER, no_parameters, query_values
from .views import _errors as errors_for

WORKFLOWS = module_sdk.workflows
JSON = "application/json"
CONFIRM = schema.CONFIRM_PARAM
MOVE_UNKNOWN = "move_unknown_capabilities"
TAGS = ["workflows"]

# --- the request and result shapes (those of ``module_sdk.workflows``) ----------------------

Schema = dict[str, Any]
MODEL_ROW = schema.ref("ModelRegistryRow")
ANY_VALUE: Schema = {"description": "Any JSON value."}
FLAG: Schema = {"type": "boolean", "default": False}
CONFIRM_FLAG: Schema = {
    **FLAG,
    "description": "Confirm changing the knowledge embedding model's extra_config.dim or "
    "capabilities while knowledge is enabled.",
}
STRINGS: Schema = {"type": "array", "items": {"type": "string"}}


def obj(properties: Schema, required: tuple[str, ...] | None = None, **extra: Any) -> Schema:
    """An object schema; every property is required unless ``required`` says otherwise."""
    keys = list(properties) if required is None else list(required)
    return {
        "type": "object",
        "properties": properties,
        **({"required": keys} if keys else {}),
        "additionalProperties": False,
        **extra,
    }


ALLOW = "allow_over_capacity"
ALLOW_FLAG: Schema = {
    **FLAG,
    "description": "Allow going beyond the engine's vram_total_mb / ram_total_mb.",
}
BIND_REQUEST = obj(
    {
        "engine_id": {"type": "integer"},
        "available_model_id": {"type": "integer"},
        "name": {
            "type": "string",
            "description": "Name of a new row; default engine_<engine id>__<catalog name>.",
        },
        ALLOW: ALLOW_FLAG,
        "extra_config": {
            "type": "object",
            "description": "Merged over the catalog defaults and the existing row.",
        },
        CONFIRM: CONFIRM_FLAG,
    },
    ("engine_id", "available_model_id"),
)
BIND_RESULT = obj({"created": {"type": "boolean"}, "row": MODEL_ROW})
RECONCILE = obj(
    {
        "model_id": {"type": "integer"},
        "name": {"type": "string"},
        "engine_id": {"type": "integer"},
        "engine": {"type": "string"},
        "available_model_id": {"type": "integer"},
        "catalog_name": {"type": "string"},
        "in_sync": {"type": "boolean"},
        "differences": {
            "type": "array",
            "items": obj(
                {
                    "field": {
                        "type": "string",
                        "description": "A row field, or extra_config.<key> for a catalog default.",
                    },
                    "registered": ANY_VALUE,
                    "catalog": ANY_VALUE,
                }
            ),
        },
    },
    description="The differences between a registered model and its catalog model.",
)
APPLY_REQUEST = obj(
    {
        "fields": {
            "oneOf": [STRINGS, {"type": "string"}],
            "description": "The differing fields to apply (a list or a comma-separated "
            "string); all of them when omitted.",
        },
        CONFIRM: CONFIRM_FLAG,
        ALLOW: ALLOW_FLAG,
    },
    (),
)
APPLY_RESULT = obj({"applied": STRINGS, "reconcile": RECONCILE, "row": MODEL_ROW})
STALE_PROPERTIES: Schema = {
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "engine_id": {"type": "integer"},
    "engine": {"type": "string"},
    "status": {"type": "string"},
    "reasons": STRINGS,
}
STALE_ROW = obj(STALE_PROPERTIES)
NOTES: Schema = {**STRINGS, "description": "What pruning does and does not touch."}
STALE_REPORT = obj(
    {
        "rows": {"type": "array", "items": STALE_ROW},
        "kept": {
            "type": "array",
            "description": "Stale-looking rows that are never pruned.",
            "items": obj({**STALE_PROPERTIES, "kept_because": {"type": "string"}}),
        },
        "notes": NOTES,
    }
)
PRUNE_REQUEST = obj(
    {
        "ids": {
            "oneOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}],
            "description": "The ids listed by GET (a list or a comma-separated string).",
        },
        "confirm": {**FLAG, "description": "Delete; without it, only report."},
    },
    ("ids",),
)
PRUNE_RESULT = obj(
    {
        "confirmed": {"type": "boolean"},
        "deleted": {"type": "array", "items": STALE_ROW},
        "would_delete": {"type": "array", "items": STALE_ROW},
        "missing": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "Listed ids that no longer exist.",
        },
        "notes": NOTES,
    }
)
IMPORT_OPTIONS: Schema = {
    "format": {"type": "string", "enum": list(transfer.FORMATS)},
    "apply": {**FLAG, "description": "Write the changes; without it, a dry run."},
    "mode": {
        "type": "string",
        "enum": list(transfer.MODES),
        "default": "all",
        "description": "all: with apply, write everything or nothing (a refused row refuses "
        "the import); partial: write the valid rows and report the refused ones (a row naming "
        "a refused row is refused too).",
    },
    MOVE_UNKNOWN: {
        **FLAG,
        "description": "Move catalog capability tokens outside the vocabulary into "
        "extended_capabilities instead of refusing the row (reported per row as "
        "moved_capabilities).",
    },
    CONFIRM: CONFIRM_FLAG,
    ALLOW: ALLOW_FLAG,
}
IMPORT_JSON = obj(
    {"text": {"type": "string", "description": "The file's content."}, **IMPORT_OPTIONS},
    ("text",),
)
IMPORT_UPLOAD = obj(
    {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "Its extension gives the format unless format is given.",
        },
        **IMPORT_OPTIONS,
    },
    ("file",),
)
SECTION_NAMES = [*transfer.SECTION_KEYS, transfer.KNOWLEDGE]
IMPORT_REPORT = obj(
    {
        "applied": {"type": "boolean"},
        "mode": {"type": "string", "enum": list(transfer.MODES)},
        "ok": {"type": "boolean", "description": "No row was refused."},
        "refused_rows": {"type": "integer", "minimum": 0},
        "error_count": {"type": "integer", "minimum": 0},
        "refusal_groups": {
            "type": "array",
            "description": "Errors counted by section, field and cause (the message with its "
            "values replaced by …), most frequent first.",
            "items": obj(
                {
                    "section": {"type": "string", "enum": SECTION_NAMES},
                    "field": {"type": "string"},
                    "cause": {"type": "string"},
                    "count": {"type": "integer", "minimum": 1},
                }
            ),
        },
        "counts": {
            "type": "object",
            "description": "Per section: how many rows each action concerns.",
            "additionalProperties": obj(
                {action: {"type": "integer", "minimum": 0} for action in transfer.ACTIONS}
            ),
        },
        "rows": {
            "type": "array",
            "items": obj(
                {
                    "section": {"type": "string", "enum": SECTION_NAMES},
                    "row": {"type": "integer", "minimum": 1},
                    "name": ANY_VALUE,
                    "action": {"type": "string", "enum": list(transfer.ACTIONS)},
                    "moved_capabilities": {
                        **STRINGS,
                        "description": "Tokens moved into extended_capabilities.",
                    },
                    "changes": {
                        "type": "object",
                        "description": "For an updated row, each changed key with its stored "
                        "value and the new one (references by name, credentials masked, a "
                        f"value longer than {transfer.SHOWN_CHARS} characters cut with …).",
                        "additionalProperties": obj(
                            {"before": ANY_VALUE, "after": ANY_VALUE}, ("before", "after")
                        ),
                    },
                },
                ("section", "row", "name", "action"),
            ),
        },
        "errors": {
            "type": "array",
            "items": obj(
                {
                    "section": {"type": "string", "enum": SECTION_NAMES},
                    "row": {
                        "type": "integer",
                        "minimum": 1,
                        "nullable": True,
                        "description": "null for an error about the whole import (an engine "
                        "taken beyond its capacity), which refuses it in any mode.",
                    },
                    "name": ANY_VALUE,
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                }
            ),
        },
    },
    description="Per row, in file order: what was (or, in a dry run, would be) done.",
)
IMPORT_REFUSED = obj(
    {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": STRINGS},
        "report": IMPORT_REPORT,
    },
    ("detail", "errors"),
    description="The first message and the messages by field; for a refused apply, also "
    "the report (nothing was written).",
)
EXPORT_DOCUMENT = obj(
    {
        "format": {"type": "string", "enum": [transfer.FORMAT_NAME]},
        "version": {"type": "integer", "enum": [transfer.FORMAT_VERSION]},
        **{key: {"type": "array", "items": {"type": "object"}} for key in transfer.SECTION_KEYS},
        transfer.KNOWLEDGE: obj(
            {
                "enabled": {"type": "boolean"},
                "embedding_model": {"type": "string", "nullable": True},
            }
        ),
    },
    description="The whole inventory; rows refer to each other by name.",
)


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
    check_keys(data, allowed, required)
    return {key: data[key] for key in data}


def check_keys(
    data: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...] = ()
) -> None:
    unknown = [key for key in data if key not in allowed]
    errors = unknown_keys_error(unknown, allowed).errors if unknown else {}
    errors.update({key: [f"{key} is required"] for key in required if key not in data})
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
        request={JSON: BIND_REQUEST},
        responses={
            201: OpenApiResponse(BIND_RESULT, description="Created."),
            200: OpenApiResponse(BIND_RESULT, description="Updated."),
            **errors_for(400),
        },
    )
    def post(self, request: Request) -> Response:
        data = payload(
            request,
            ("engine_id", "available_model_id", "name", "extra_config", CONFIRM, ALLOW),
            ("engine_id", "available_model_id"),
        )
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
        request={JSON: obj({CONFIRM: CONFIRM_FLAG}, ())},
        parameters=[ID_PARAMETER],
        responses={
            200: OpenApiResponse(MODEL_ROW, description="The row."),
            **errors_for(400, 404),
        },
    )
    def post(self, request: Request, pk: str) -> Response:
        data = payload(request, (CONFIRM,)) if request.data else {}
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
        responses={200: RECONCILE, **errors_for(400, 404)},
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
        request={JSON: APPLY_REQUEST},
        parameters=[ID_PARAMETER],
        responses={200: APPLY_RESULT, **errors_for(400, 404)},
    )
    def post(self, request: Request, pk: str) -> Response:
        pk = model_or_404(pk)
        data = payload(request, ("fields", CONFIRM, ALLOW)) if request.data else {}
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
        responses={200: STALE_REPORT, **errors_for(400)},
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
        request={JSON: PRUNE_REQUEST},
        responses={200: PRUNE_RESULT, **errors_for(400)},
    )
    def post(self, request: Request) -> Response:
        data = payload(request, ("ids", "confirm"), ("ids",))
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
            (200, JSON): EXPORT_DOCUMENT,
            (200, "application/yaml"): EXPORT_DOCUMENT,
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
        request={JSON: IMPORT_JSON, "multipart/form-data": IMPORT_UPLOAD},
        responses={
            200: IMPORT_REPORT,
            400: OpenApiResponse(IMPORT_REFUSED, description="Invalid input or rows refused."),
            413: OpenApiResponse(
                schema.ref(schema.ERROR),
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
            check_keys(data, ("file", *IMPORT_OPTIONS))
            text: Any = upload.file  # streamed from Django's (temporary) file
            fmt = data.get("format") or transfer.format_for(upload.name or "")
        else:
            data = payload(request, ("text", *IMPORT_OPTIONS), ("text",))
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
