"""The API views: one generic registry viewset, knowledge settings and capabilities.

Every view delegates to the SDK's building blocks (``inventory.listing`` for lists,
``inventory.services`` for writes), so the API returns exactly the SDK's rows, envelopes and
errors. Detail responses carry an ``ETag``; ``PUT``/``PATCH``/``DELETE`` honour ``If-Match``,
checked while the row is locked, so a stale writer gets 412 instead of overwriting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import capabilities as caps
from inventory import history
from inventory.declarations import DECLARATIONS
from inventory.errors import RegistryValidationError
from inventory.listing import ListDeclaration, list_page
from inventory.models import KnowledgeSettings
from inventory.services import (
    SERVICES,
    WRITE_OPTIONS,
    EntityService,
    knowledge_config,
    parse_id,
    update_knowledge_config,
)

from . import schema
from .auth import ModelPermissions
from .errors import PreconditionFailed

# --- helpers -------------------------------------------------------------------------------


def etag_of(row: Mapping[str, Any]) -> str:
    """A strong ETag: a hash of the serialized row (``updated_at`` included)."""
    body = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:40] + '"'


def etag_matches(header: str, etag: str) -> bool:
    candidates = [item.strip() for item in header.split(",")]
    return any(item == "*" or item.removeprefix("W/") == etag for item in candidates)


def query_values(request: Request) -> dict[str, Any]:
    """Query parameters; a repeated parameter is a list (empty repeats are dropped, so
    ``id=5&id=`` is the one-item list ``[5]``)."""
    values: dict[str, Any] = {}
    for key in request.query_params:
        items = request.query_params.getlist(key)
        values[key] = items[0] if len(items) == 1 else [item for item in items if item != ""]
    return values


def body(request: Request) -> Any:
    """The parsed JSON body (a malformed body raises ``ParseError``, a 400)."""
    return request.data


def replacement(declaration: ListDeclaration, payload: Any) -> Any:
    """A ``PUT`` body completed with the model default of every writable key it omits."""
    if not isinstance(payload, Mapping):
        return payload
    full: dict[str, Any] = {}
    for item in declaration.writable_fields:
        full[item.name] = declaration.model._meta.get_field(item.source).get_default()  # type: ignore[arg-type]
    full.update(payload)
    return full


def update_options(request: Request, known: tuple[str, ...] = WRITE_OPTIONS) -> dict[str, Any]:
    params = query_values(request)
    unknown = [key for key in params if key not in known]
    if unknown:
        raise RegistryValidationError(
            {
                key: [f"unknown parameter {key!r}; known parameters: {', '.join(known)}"]
                for key in unknown
            }
        )
    return params


def no_parameters(request: Request) -> None:
    if request.query_params:
        key = next(iter(request.query_params))
        raise RegistryValidationError({key: [f"unknown parameter {key!r}"]})


# --- entities ------------------------------------------------------------------------------


class RegistryAutoSchema(AutoSchema):
    """The list action returns the SDK's envelope (described in full), not a bare array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class RegistryViewSet(viewsets.ViewSet):
    """List, read and write one entity; subclasses only set ``sdk_name`` (see ``viewset_for``)."""

    schema = RegistryAutoSchema()
    sdk_name: str
    declaration: ListDeclaration
    service: EntityService
    permission_classes = [ModelPermissions]
    lookup_value_regex = r"[^/]+"

    # lists and metadata

    def list(self, request: Request) -> Response:
        params = query_values(request)
        # Every other parameter is a filter: the declaration refuses unknown ones with the
        # SDK's own message ("unknown filter 'x'; known filters: ...").
        filters = {key: value for key, value in params.items() if key not in schema.PAGING_PARAMS}
        envelope = list_page(
            self.declaration,
            page=params.get("page", 0),
            page_size=params.get("page_size", None),
            filters=filters,
            sort=params.get("sort"),
            direction=params.get("direction"),
        )
        return Response(envelope)

    @action(detail=False, methods=["get"], url_path="table-model")
    def table_model(self, request: Request) -> Response:
        no_parameters(request)
        return Response(self.declaration.table_model())

    @action(detail=False, methods=["get"], url_path="filters-model")
    def filters_model(self, request: Request) -> Response:
        no_parameters(request)
        return Response(self.declaration.filters_model())

    # rows

    def _row(self, pk: Any, lock: bool = False) -> dict[str, Any]:
        queryset = self.declaration.queryset().filter(pk=parse_id(pk))
        if lock:
            # Only the row itself: its annotations may join nullable rows (PostgreSQL
            # refuses FOR UPDATE on the nullable side of an outer join).
            queryset = queryset.select_for_update(of=("self",))
        rows = list(self.declaration.rows(queryset))
        if not rows:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return rows[0]

    def _check_if_match(self, request: Request, pk: Any) -> None:
        """With ``If-Match``, lock the row (the caller holds a transaction) and compare."""
        wanted = request.headers.get("If-Match")
        if wanted is None:
            return
        if not etag_matches(wanted, etag_of(self._row(pk, lock=True))):
            raise PreconditionFailed()

    @staticmethod
    def _detail(row: dict[str, Any], code: int = status.HTTP_200_OK) -> Response:
        return Response(row, status=code, headers={"ETag": etag_of(row)})

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        no_parameters(request)
        return self._detail(self._row(pk))

    def create(self, request: Request) -> Response:
        row = self.service.create(body(request), **update_options(request))
        response = self._detail(row, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{row['id']}/")
        return response

    def _update(self, request: Request, pk: Any, payload: Any) -> Response:
        options = update_options(request)
        pk = parse_id(pk)
        with history.atomic():
            self._check_if_match(request, pk)
            instance = self.service.update_instance(pk, payload, **options)
        if instance is None:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return self._detail(self.declaration.row_for(instance))

    def update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, replacement(self.declaration, body(request)))

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, body(request))

    def destroy(self, request: Request, pk: Any = None) -> Response:
        no_parameters(request)
        pk = parse_id(pk)
        with history.atomic():
            self._check_if_match(request, pk)
            deleted = self.service.delete(pk)
        if not deleted:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- OpenAPI descriptions of the generic viewset -------------------------------------------

ERROR = schema.ref(schema.ERROR)
JSON = "application/json"
ID_PARAMETER = OpenApiParameter(
    "id", {"type": "integer"}, OpenApiParameter.PATH, description="Row id."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="An ETag from an earlier response; when the row changed since, the request "
    "fails with 412 and changes nothing.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="Version of the row; send it back in If-Match.",
)
CONFIRM = OpenApiParameter(
    schema.CONFIRM_PARAM,
    bool,
    description="Confirm changing extra_config.dim, the capabilities or the status of the "
    "knowledge embedding model while knowledge is enabled.",
)
ALLOW_OVER_CAPACITY = OpenApiParameter(
    "allow_over_capacity",
    bool,
    description="Registered models: allow activating, moving or growing a model beyond the "
    "engine's vram_total_mb / ram_total_mb.",
)


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "Invalid input: the first message and the messages by field.",
        401: "Not authenticated.",
        403: "Not permitted.",
        404: "No such row.",
        409: "Delete refused: other rows depend on this one.",
        412: "If-Match does not match the row's current ETag.",
    }
    return {code: OpenApiResponse(ERROR, description=text[code]) for code in (401, 403, *codes)}


def _describe(viewset: type[RegistryViewSet]) -> None:
    """Attach the OpenAPI description of one entity to its viewset's actions."""
    name = viewset.sdk_name
    prefix = schema.component_prefix(name)
    tags = [name]
    row = OpenApiResponse(schema.ref(f"{prefix}Row"), description="The row.")
    detail = [ID_PARAMETER]
    operations = {
        "list": dict(
            summary=f"List {name} rows",
            description="One page of rows in the SDK's list envelope. Unknown parameters and "
            "malformed values are refused with 400 naming them.",
            parameters=schema.list_parameters(viewset.declaration),
            responses={200: schema.ref(f"{prefix}List"), **_errors(400)},
        ),
        "create": dict(
            summary=f"Create a {name} row",
            request={JSON: schema.ref(f"{prefix}Create")},
            parameters=[CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={201: row, **_errors(400)},
        ),
        "retrieve": dict(
            summary=f"Read a {name} row",
            parameters=[*detail, ETAG_HEADER],
            responses={200: row, **_errors(400, 404)},
        ),
        "update": dict(
            summary=f"Replace a {name} row",
            description="Full replacement: every writable key the body omits is reset to its "
            "default, so the required keys must be given. Read-only keys are ignored.",
            request={JSON: schema.ref(f"{prefix}Create")},
            parameters=[*detail, IF_MATCH, CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={200: row, **_errors(400, 404, 412)},
        ),
        "partial_update": dict(
            summary=f"Update some keys of a {name} row",
            description="Partial update, like the SDK's update(): only the given keys change; "
            "an extra_config given replaces the stored one.",
            request={JSON: schema.ref(f"{prefix}Patch")},
            parameters=[*detail, IF_MATCH, CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={200: row, **_errors(400, 404, 412)},
        ),
        "destroy": dict(
            summary=f"Delete a {name} row",
            parameters=[*detail, IF_MATCH],
            responses={204: None, **_errors(400, 404, 409, 412)},
        ),
        "table_model": dict(
            summary=f"Columns of the {name} table",
            responses={
                200: {"type": "array", "items": schema.ref("TableColumn")},
                **_errors(400),
            },
        ),
        "filters_model": dict(
            summary=f"Filters of {name} lists",
            responses={
                200: {"type": "array", "items": schema.ref("FilterField")},
                **_errors(400),
            },
        ),
    }
    decorators = {
        action_name: extend_schema(operation_id=f"{name}_{action_name}", tags=tags, **options)
        for action_name, options in operations.items()
    }
    extend_schema_view(**decorators)(viewset)


def viewset_for(sdk_name: str) -> type[RegistryViewSet]:
    """The viewset of one entity: the generic one bound to its declaration and service."""
    declaration = DECLARATIONS[sdk_name]
    viewset = type(
        f"{schema.component_prefix(sdk_name)}ViewSet",
        (RegistryViewSet,),
        {
            "sdk_name": sdk_name,
            "declaration": declaration,
            "service": SERVICES[sdk_name],
            "queryset": declaration.model._default_manager.all(),
            "__doc__": f"The `{sdk_name}` rows, as `module_sdk.models.{sdk_name}`.",
        },
    )
    _describe(viewset)
    return viewset


# --- knowledge settings and capabilities ---------------------------------------------------

KNOWLEDGE = schema.ref("KnowledgeConfig")
KNOWLEDGE_DEFAULTS = {"enabled": False, "embedding_model_id": None}


class KnowledgeConfigView(APIView):
    """``module_sdk.knowledge``: the knowledge embedding backend settings."""

    permission_classes = [ModelPermissions]
    queryset = KnowledgeSettings.objects.all()

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_get_config",
        summary="Read the knowledge settings",
        responses={200: KNOWLEDGE, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        no_parameters(request)
        return Response(knowledge_config())

    def _write(self, request: Request, payload: Any) -> Response:
        options = update_options(request, (schema.CONFIRM_PARAM,))
        return Response(update_knowledge_config(payload, **options))

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_replace_config",
        summary="Replace the knowledge settings",
        description="Full replacement: an omitted key takes its default (disabled, no model). "
        "Changing the model while enabled needs confirm_embedding_model_change=true.",
        request={JSON: schema.ref("KnowledgeConfigUpdate")},
        parameters=[CONFIRM],
        responses={200: KNOWLEDGE, **_errors(400)},
    )
    def put(self, request: Request) -> Response:
        payload = body(request)
        if isinstance(payload, Mapping):
            payload = {**KNOWLEDGE_DEFAULTS, **payload}
        return self._write(request, payload)

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_update_config",
        summary="Update the knowledge settings",
        description="Like the SDK's update_config(): only the given keys change. Changing the "
        "model while enabled needs confirm_embedding_model_change=true.",
        request={JSON: schema.ref("KnowledgeConfigUpdate")},
        parameters=[CONFIRM],
        responses={200: KNOWLEDGE, **_errors(400)},
    )
    def patch(self, request: Request) -> Response:
        return self._write(request, body(request))


class CapabilitiesView(APIView):
    """``module_sdk.capabilities.describe()``."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["capabilities"],
        operation_id="capabilities_describe",
        summary="Capability vocabulary, aliases, runtime methods and extra_config schemas",
        responses={200: schema.ref("Capabilities"), **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        no_parameters(request)
        return Response(caps.describe())
