"""The API views: one generic registry viewset, knowledge settings and capabilities.

Every view delegates to the SDK's building blocks (``inventory.listing`` for lists,
``inventory.services`` for writes), so the API returns exactly the SDK's rows, envelopes and
errors. Detail responses carry an ``ETag``; ``PUT``/``PATCH``/``DELETE`` honour ``If-Match``,
checked while the row is locked, so a stale writer gets 412 instead of overwriting.
"""

from __future__ import annotations

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
from inventory.declarations import DECLARATIONS
from inventory.listing import ListDeclaration, ListRequest
from inventory.models import KnowledgeSettings
from inventory.services import (
    SERVICES,
    WRITE_OPTIONS,
    EntityService,
    StaleRowError,
    etag_of,
    knowledge_config,
    knowledge_defaults,
    update_knowledge_config,
)
from inventory.values import parse_id

from .auth import ModelPermissions
from .errors import PreconditionFailed
from .lists import (
    CONFIRM_PARAM,
    PAGING_PARAMS,
    RENDERER_PARAM,
    DeclaredFilterBackend,
    EnvelopePagination,
    StrictQuery,
)
from .serializers import (
    CapabilitiesSerializer,
    ErrorSerializer,
    FilterFieldSerializer,
    KnowledgeConfigSerializer,
    KnowledgeConfigUpdateSerializer,
    TableColumnSerializer,
    component_prefix,
    payload_serializer,
    row_serializer,
)

# --- helpers -------------------------------------------------------------------------------


def query_values(request: Request) -> dict[str, Any]:
    return StrictQuery.query_values(request)


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
    return StrictQuery().strict_query(request, known)


def no_parameters(request: Request) -> None:
    StrictQuery().strict_query(request, ())


# --- entities ------------------------------------------------------------------------------


class RegistryAutoSchema(AutoSchema):
    """Only ``list`` is paged and filtered; its envelope is named after the entity
    (``ModelRegistryList``)."""

    def _paged(self) -> bool:
        return getattr(self.view, "action", None) == "list"

    def get_paginated_name(self, serializer_name: str) -> str:
        return f"{serializer_name.removesuffix('Row')}List"

    def _get_paginator(self) -> Any:
        return super()._get_paginator() if self._paged() else None

    def get_filter_backends(self) -> list[Any]:
        return super().get_filter_backends() if self._paged() else []


class RegistryViewSet(StrictQuery, viewsets.GenericViewSet):
    """List, read and write one entity; subclasses only set ``sdk_name`` (see ``viewset_for``)."""

    schema = RegistryAutoSchema()
    sdk_name: str
    declaration: ListDeclaration
    service: EntityService
    permission_classes = [ModelPermissions]
    lookup_value_regex = r"[^/]+"
    pagination_class = EnvelopePagination
    filter_backends = [DeclaredFilterBackend]

    def get_serializer_class(self) -> type:
        """The body the browsable API offers to post (the write paths do not use it)."""
        return payload_serializer(self.sdk_name, full=True)

    # lists and metadata

    def list(self, request: Request) -> Response:
        # The catalog filters on "format": there format=json is the filter (and JSON anyway).
        # (The FilterSet's filters are the declared ones, looked up without listing them.)
        filter_keys = self.declaration.filterset.base_filters
        params = self.query_values(request, RENDERER_PARAM in filter_keys)
        # Every other parameter is a filter: the FilterSet refuses unknown ones with the
        # SDK's own message ("unknown filter 'x'; known filters: ...").
        filters = {key: value for key, value in params.items() if key not in PAGING_PARAMS}
        list_request = ListRequest.build(
            self.declaration, filters, params.get("sort"), params.get("direction")
        )
        return self.paginator.get_paginated_response(self.paginator.page(list_request, params))

    @action(detail=False, methods=["get"], url_path="table-model")
    def table_model(self, request: Request) -> Response:
        no_parameters(request)
        return Response(self.declaration.table_model())

    @action(detail=False, methods=["get"], url_path="filters-model")
    def filters_model(self, request: Request) -> Response:
        no_parameters(request)
        return Response(self.declaration.filters_model())

    # rows

    def _row(self, pk: Any) -> dict[str, Any]:
        queryset = self.declaration.queryset().filter(pk=parse_id("id", pk))
        rows = list(self.declaration.rows(queryset))
        if not rows:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return rows[0]

    @staticmethod
    def _if_match(request: Request) -> dict[str, Any]:
        """``If-Match`` for the service, which compares it with the row under its lock."""
        wanted = request.headers.get("If-Match")
        return {} if wanted is None else {"if_match": wanted}

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
        pk = parse_id("id", pk)
        try:
            instance = self.service.update_instance(
                pk, payload, **self._if_match(request), **options
            )
        except StaleRowError as error:
            raise PreconditionFailed() from error
        if instance is None:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return self._detail(self.declaration.row_for(instance))

    def update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, replacement(self.declaration, body(request)))

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        return self._update(request, pk, body(request))

    def destroy(self, request: Request, pk: Any = None) -> Response:
        no_parameters(request)
        pk = parse_id("id", pk)
        try:
            deleted = self.service.delete(pk, **self._if_match(request))
        except StaleRowError as error:
            raise PreconditionFailed() from error
        if not deleted:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- OpenAPI descriptions of the generic viewset -------------------------------------------

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
    CONFIRM_PARAM,
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
ERROR_TEXT = {
    400: "Invalid input: the first message and the messages by field.",
    401: "Not authenticated.",
    403: "Not permitted.",
    404: "No such row.",
    409: "Delete refused: other rows depend on this one.",
    412: "If-Match does not match the row's current ETag.",
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXT[code])
        for code in (401, 403, *codes)
    }


def _row(serializer: Any) -> OpenApiResponse:
    return OpenApiResponse(serializer, description="The row.")


def _describe(viewset: type[RegistryViewSet]) -> None:
    """Attach the OpenAPI description of one entity to its viewset's actions; the shapes
    come from the generated serializers, paging and filters from the list components."""
    name = viewset.sdk_name
    row = row_serializer(name)
    create, patch = payload_serializer(name, full=True), payload_serializer(name, full=False)
    detail = [ID_PARAMETER]
    operations = {
        "list": dict(
            summary=f"List {name} rows",
            description="One page of rows in the SDK's list envelope. Unknown parameters and "
            "malformed values are refused with 400 naming them.",
            responses={200: row(many=True), **_errors(400)},
        ),
        "create": dict(
            summary=f"Create a {name} row",
            request=create,
            parameters=[CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={201: _row(row), **_errors(400)},
        ),
        "retrieve": dict(
            summary=f"Read a {name} row",
            parameters=[*detail, ETAG_HEADER],
            responses={200: _row(row), **_errors(400, 404)},
        ),
        "update": dict(
            summary=f"Replace a {name} row",
            description="Full replacement: every writable key the body omits is reset to its "
            "default, so the required keys must be given. Read-only keys are ignored.",
            request=create,
            parameters=[*detail, IF_MATCH, CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={200: _row(row), **_errors(400, 404, 412)},
        ),
        "partial_update": dict(
            summary=f"Update some keys of a {name} row",
            description="Partial update, like the SDK's update(): only the given keys change; "
            "an extra_config given replaces the stored one.",
            request=patch,
            parameters=[*detail, IF_MATCH, CONFIRM, ALLOW_OVER_CAPACITY, ETAG_HEADER],
            responses={200: _row(row), **_errors(400, 404, 412)},
        ),
        "destroy": dict(
            summary=f"Delete a {name} row",
            parameters=[*detail, IF_MATCH],
            responses={204: None, **_errors(400, 404, 409, 412)},
        ),
        "table_model": dict(
            summary=f"Columns of the {name} table",
            responses={200: TableColumnSerializer(many=True), **_errors(400)},
        ),
        "filters_model": dict(
            summary=f"Filters of {name} lists",
            responses={200: FilterFieldSerializer(many=True), **_errors(400)},
        ),
    }
    decorators = {
        action_name: extend_schema(operation_id=f"{name}_{action_name}", tags=[name], **options)
        for action_name, options in operations.items()
    }
    extend_schema_view(**decorators)(viewset)


def viewset_for(sdk_name: str) -> type[RegistryViewSet]:
    """The viewset of one entity: the generic one bound to its declaration and service."""
    declaration = DECLARATIONS[sdk_name]
    viewset = type(
        f"{component_prefix(sdk_name)}ViewSet",
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


class KnowledgeConfigView(APIView):
    """``module_sdk.knowledge``: the knowledge embedding backend settings."""

    permission_classes = [ModelPermissions]
    queryset = KnowledgeSettings.objects.all()

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_get_config",
        summary="Read the knowledge settings",
        responses={200: KnowledgeConfigSerializer, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        no_parameters(request)
        return Response(knowledge_config())

    def _write(self, request: Request, payload: Any) -> Response:
        options = update_options(request, (CONFIRM_PARAM,))
        return Response(update_knowledge_config(payload, **options))

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_replace_config",
        summary="Replace the knowledge settings",
        description="Full replacement: an omitted key takes its default (disabled, no model). "
        "Changing the model while enabled needs confirm_embedding_model_change=true.",
        request=KnowledgeConfigUpdateSerializer,
        parameters=[CONFIRM],
        responses={200: KnowledgeConfigSerializer, **_errors(400)},
    )
    def put(self, request: Request) -> Response:
        payload = body(request)
        if isinstance(payload, Mapping):
            payload = {**knowledge_defaults(), **payload}
        return self._write(request, payload)

    @extend_schema(
        tags=["knowledge"],
        operation_id="knowledge_update_config",
        summary="Update the knowledge settings",
        description="Like the SDK's update_config(): only the given keys change. Changing the "
        "model while enabled needs confirm_embedding_model_change=true.",
        request=KnowledgeConfigUpdateSerializer,
        parameters=[CONFIRM],
        responses={200: KnowledgeConfigSerializer, **_errors(400)},
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
        responses={200: CapabilitiesSerializer, **_errors(400)},
    )
    def get(self, request: Request) -> Response:
        no_parameters(request)
        return Response(caps.describe())
