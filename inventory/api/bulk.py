"""Bulk operations and delete impact over the API, as ``ModelResource.bulk`` /
``delete_impact`` in the SDK:

* ``POST /api/v1/<entity>/bulk/`` with ``{"action", "ids", "filters", "changes", "dry_run",
  "allow_over_capacity", "confirm_embedding_model_change"}`` answers the per-row report; a
  refused row refuses the whole operation: 400 with the errors by row and the ``report``.
* ``GET /api/v1/<entity>/<id>/delete-impact/`` tells what deleting the row would refuse,
  unlink or leave stale, before anything is deleted.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.bulk import ACTIONS, BulkRefusedError
from inventory.declarations import DECLARATIONS
from inventory.sdk import module_sdk
from inventory.services import WRITE_OPTIONS

from .views import ID_PARAMETER, no_parameters
from .views import _errors as errors_for
from .workflows import WorkflowPermission, flag, payload


class BulkRequest(serializers.Serializer):
    action = serializers.ChoiceField(
        ACTIONS, default="update", help_text="update (set/add/remove), deactivate or delete."
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Rows to operate on."
    )
    filters = serializers.DictField(
        required=False, help_text="The list filters; rows matching them (and ids, if given)."
    )
    changes = serializers.DictField(
        required=False,
        help_text="For update: fields to set (status, engine_id, flags…) and add_<list> / "
        "remove_<list> items (add_capabilities, remove_tags…).",
    )
    dry_run = serializers.BooleanField(default=False, help_text="Report only; write nothing.")
    confirm_embedding_model_change = serializers.BooleanField(
        default=False,
        help_text="Confirm changing the knowledge embedding model while knowledge is enabled.",
    )
    allow_over_capacity = serializers.BooleanField(
        default=False, help_text="Allow going beyond engines' vram_total_mb / ram_total_mb."
    )


class BulkItem(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    result = serializers.ChoiceField(["changed", "unchanged", "deleted", "refused"])
    changes = serializers.DictField(
        child=serializers.ListField(), required=False, help_text="field: [before, after]"
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    unlinked = serializers.IntegerField(
        required=False, help_text="Registered rows left without their catalog link."
    )


class BulkReport(serializers.Serializer):
    entity = serializers.CharField()
    action = serializers.CharField()
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField()
    ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    filters = serializers.DictField()
    matched = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deleted = serializers.IntegerField()
    refused = serializers.IntegerField()
    items = BulkItem(many=True)


class BulkRefused(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    report = BulkReport(required=False, help_text="When rows were refused: the per-row report.")


IMPACT_ROWS = inline_serializer(
    "ImpactRows",
    {
        "entity": serializers.CharField(),
        "total": serializers.IntegerField(),
        "rows": serializers.ListField(child=serializers.DictField()),
    },
    allow_null=True,
)


class DeleteImpact(serializers.Serializer):
    entity = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    allowed = serializers.BooleanField(help_text="False: the delete would be refused.")
    refusal = serializers.CharField(allow_null=True)
    refused = IMPACT_ROWS
    unlinked = IMPACT_ROWS
    stale = serializers.DictField(allow_null=True)
    way_out = serializers.DictField(allow_null=True)


def _perm(name: str, verb: str) -> str:
    return f"inventory.{verb}_{DECLARATIONS[name].model._meta.model_name}"


class BulkView(APIView):
    """One entity's bulk endpoint; ``sdk_name`` is set per entity (see ``urlpatterns``)."""

    permission_classes = [WorkflowPermission]
    sdk_name = ""

    @property
    def required_perms(self) -> dict[str, list[str]]:
        return {"POST": [_perm(self.sdk_name, "change")]}

    def post(self, request: Request) -> Response:
        no_parameters(request)
        data = payload(request, BulkRequest)
        action = data.get("action", "update")
        if action == "delete" and not request.user.has_perm(_perm(self.sdk_name, "delete")):
            raise exceptions.PermissionDenied("deleting needs the delete permission")
        options = {key: flag(data, key) for key in WRITE_OPTIONS if key in data}
        try:
            report = module_sdk.models[self.sdk_name].bulk(
                action,
                data.get("ids"),
                data.get("filters"),
                data.get("changes"),
                flag(data, "dry_run"),
                **options,
            )
        except BulkRefusedError as error:
            return Response(
                {**error.as_dict(), "report": error.report}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(report)


class DeleteImpactView(APIView):
    permission_classes = [WorkflowPermission]
    sdk_name = ""

    @property
    def required_perms(self) -> dict[str, list[str]]:
        return {"GET": [_perm(self.sdk_name, "view")]}

    def get(self, request: Request, pk: str) -> Response:
        no_parameters(request)
        impact = module_sdk.models[self.sdk_name].delete_impact(pk)
        if impact is None:
            raise exceptions.NotFound(f"no {self.sdk_name} row with id {pk}")
        return Response(impact)


def _views(name: str) -> tuple[type[BulkView], type[DeleteImpactView]]:
    tags = [name]

    def post(self: BulkView, request: Request) -> Response:
        return BulkView.post(self, request)

    def get(self: DeleteImpactView, request: Request, pk: str) -> Response:
        return DeleteImpactView.get(self, request, pk)

    post = extend_schema(
        tags=tags,
        operation_id=f"{name}_bulk",
        summary=f"Change, deactivate or delete many {name} rows",
        description="Rows are selected by ids and/or filters (neither is refused: never all "
        "rows). Every row is validated by the same rules as a single write; all rows are "
        "written in one transaction, or none: one refused row gives 400 with the errors keyed "
        "'<id>.<field>' and the per-row report. dry_run reports without writing.",
        request=BulkRequest,
        responses={
            200: BulkReport,
            400: OpenApiResponse(
                BulkRefused, description="Invalid input or refused rows: nothing was written."
            ),
            **errors_for(),
        },
    )(post)
    get = extend_schema(
        tags=tags,
        operation_id=f"{name}_delete_impact",
        summary=f"What deleting a {name} row would do",
        description="The rows that would refuse the delete, be unlinked or become stale, with "
        "counts, and the way out of a refused delete. Nothing is deleted.",
        parameters=[ID_PARAMETER],
        responses={200: DeleteImpact, **errors_for(400, 404)},
    )(get)
    return (
        type(f"{name}BulkView", (BulkView,), {"sdk_name": name, "post": post}),
        type(f"{name}DeleteImpactView", (DeleteImpactView,), {"sdk_name": name, "get": get}),
    )


urlpatterns = []
for _name in DECLARATIONS:
    _bulk, _impact = _views(_name)
    _prefix = _name.replace("_", "-")
    urlpatterns += [
        path(f"{_prefix}/bulk/", _bulk.as_view(), name=f"{_name}-bulk"),
        path(
            f"{_prefix}/<str:pk>/delete-impact/",
            _impact.as_view(),
            name=f"{_name}-delete-impact",
        ),
    ]

__all__ = ["urlpatterns"]
