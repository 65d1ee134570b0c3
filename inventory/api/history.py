"""Change history over the API: one row's history, the change feed and restores.

``GET /api/v1/<entity>/{id}/history/`` (and ``/api/v1/knowledge/history/``) lists a row's
changes, newest first; ``GET /api/v1/changes/?after=<cursor>`` is the feed
(``module_sdk.changes.since``); ``POST /api/v1/changes/{id}/restore/`` writes back that
version (``module_sdk.changes.restore``). Reading needs the entity's ``view_*``
permission (the feed shows only the entities the caller may view); a restore needs
``change_*``, or ``add_*`` to undelete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.errors import RegistryValidationError, refuse_unknown_keys
from inventory.history import feed, restore
from inventory.history.access import may_restore, perm, visible_entities
from inventory.history.recording import KNOWLEDGE, MODELS
from inventory.models import KnowledgeSettings
from inventory.services import WRITE_OPTIONS
from inventory.values import parse_id

from .views import query_values


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Also the feed cursor: ids follow commit order")
    time = serializers.DateTimeField()
    entity = serializers.ChoiceField(choices=list(MODELS))
    object_id = serializers.IntegerField()
    object_name = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "delete"])
    changes = serializers.DictField(
        child=inline_serializer(
            "FieldChange", {"before": serializers.JSONField(), "after": serializers.JSONField()}
        ),
        help_text="Changed fields with their value before and after",
    )
    snapshot = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Every field after the change (before it, for a delete); credentials masked",
    )
    actor = serializers.CharField(help_text="User name, API token name, manage.py <command>")
    source = serializers.CharField(help_text="web, admin, api, command or shell")
    operation = serializers.UUIDField(help_text="Groups the changes of one request")
    restored_from = serializers.IntegerField(allow_null=True)


class HistorySerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)


class FeedSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True, help_text="Oldest first")
    cursor = serializers.IntegerField(help_text="Pass as after= to read on from here")
    has_more = serializers.BooleanField()


class RestoreRequestSerializer(serializers.Serializer):
    fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Only these fields (default all)"
    )
    confirm_embedding_model_change = serializers.BooleanField(required=False, default=False)
    allow_over_capacity = serializers.BooleanField(required=False, default=False)


class RestoreSerializer(serializers.Serializer):
    entity = serializers.CharField()
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["restored", "undeleted"])
    row = serializers.DictField(child=serializers.JSONField())


def _only(request: Request, allowed: tuple[str, ...]) -> dict[str, Any]:
    params = query_values(request)
    refuse_unknown_keys(params, allowed, "parameter")
    return params


LIMIT = OpenApiParameter("limit", int, description=f"1..{feed.MAX_FEED_LIMIT} (default 100)")


def _history(request: Request, entity: str, pk: Any) -> Response:
    limit = _only(request, ("limit",)).get("limit")
    if not request.user.has_perm(perm(entity, "view")):
        raise exceptions.PermissionDenied()
    changes = feed.history(entity, pk, limit)
    if not changes and not MODELS[entity]._default_manager.filter(pk=parse_id("id", pk)).exists():
        raise exceptions.NotFound(f"no {entity} row with id {pk} and no recorded change")
    return Response({"changes": changes})


class RowHistoryView(APIView):
    entity: str = ""

    @extend_schema(
        tags=["history"],
        summary="Changes of one row",
        description="The row's newest changes (up to `limit`), newest first; still answers "
        "after the row was deleted. Every change: the feed with `entity` and `object_id`.",
        parameters=[LIMIT],
        responses={200: HistorySerializer},
    )
    def get(self, request: Request, pk: Any) -> Response:
        return _history(request, self.entity, pk)


class KnowledgeHistoryView(APIView):
    @extend_schema(
        tags=["history"],
        operation_id="knowledge_history",
        summary="Changes of the knowledge settings",
        parameters=[LIMIT],
        responses={200: HistorySerializer},
    )
    def get(self, request: Request) -> Response:
        return _history(request, KNOWLEDGE, KnowledgeSettings.SINGLETON_ID)


FEED_PARAMETERS = [
    OpenApiParameter("after", int, description="Cursor from the previous read (default 0)"),
    OpenApiParameter("limit", int, description=f"1..{feed.MAX_FEED_LIMIT}"),
    OpenApiParameter("entity", str, enum=list(MODELS)),
    OpenApiParameter("object_id", int),
    OpenApiParameter("action", str, enum=["create", "update", "delete"]),
    OpenApiParameter("actor", str, description="Substring of the actor"),
    OpenApiParameter("operation", str, description="Operation id (or its start)"),
    OpenApiParameter("since", str, description="Date or date-time"),
    OpenApiParameter("until", str, description="Date or date-time"),
]


class ChangesView(APIView):
    @extend_schema(
        tags=["history"],
        operation_id="changes_since",
        summary="The change feed",
        description="Changes committed after the cursor `after`, oldest first, in commit "
        "order: apply each `snapshot` (drop the row on `delete`) and keep `cursor` to stay "
        "in sync. Filters narrow the feed; only entities you may view are included.",
        parameters=FEED_PARAMETERS,
        responses={200: FeedSerializer},
    )
    def get(self, request: Request) -> Response:
        params = _only(request, ("after", "limit", *feed.FILTERS))
        after, limit = params.pop("after", None), params.pop("limit", None)
        return Response(feed.since(after, limit, visible_entities(request.user), params))


class RestoreView(APIView):
    @extend_schema(
        tags=["history"],
        operation_id="changes_restore",
        summary="Restore the version of a change",
        description="Writes back the row as it was after this change (for a delete: as it "
        "was deleted, under its old id). Validated like any write and recorded.",
        request=RestoreRequestSerializer,
        responses={200: RestoreSerializer},
    )
    def post(self, request: Request, pk: Any) -> Response:
        _only(request, ())
        record = restore.load(pk)
        if not may_restore(request.user, record):
            raise exceptions.PermissionDenied()
        data = request.data if request.data not in (None, "") else {}
        if not isinstance(data, Mapping):
            raise RegistryValidationError({"payload": ["payload must be a JSON object"]})
        refuse_unknown_keys(data, ("fields", *WRITE_OPTIONS), "key")
        options = {key: value for key, value in data.items() if key != "fields"}
        return Response(restore.restore(record.pk, data.get("fields"), **options))


def urlpatterns_for(entities: Mapping[str, str]) -> list:
    """History URLs, one per entity slug (``engine-registry``…), plus feed and restore."""
    patterns = [
        path(
            f"{slug}/<str:pk>/history/",
            RowHistoryView.as_view(entity=entity),
            name=f"{entity}-history",
        )
        for entity, slug in entities.items()
    ]
    return [
        *patterns,
        path("knowledge/history/", KnowledgeHistoryView.as_view(), name="knowledge-history"),
        path("changes/", ChangesView.as_view(), name="changes"),
        path("changes/<str:pk>/restore/", RestoreView.as_view(), name="change-restore"),
    ]
