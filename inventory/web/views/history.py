"""History pages: a row's History tab, the Changes list (filters, CSV export) and restores.

Every change is read from ``inventory.history.feed`` and every restore goes through
``inventory.history.restore`` (validated and recorded like any write).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from ...errors import RegistryValidationError
from ...history import feed, restore
from ...history.access import may_restore, visible_entities
from ...history.recording import KNOWLEDGE, MODELS
from ...models import ChangeRecord
from ...services import WRITE_OPTIONS
from ..entities import BY_MODEL, INVENTORIES
from ..export import csv_lines
from .access import InventoryView

PAGE_SIZE = 50
CSV_COLUMNS = (
    "id",
    "time",
    "entity",
    "object_id",
    "object_name",
    "action",
    "actor",
    "source",
    "operation",
    "restored_from",
    "changes",
)
ENTITY_TITLES = {item.key: item.title for item in INVENTORIES} | {KNOWLEDGE: "Knowledge"}


def shown(value: Any) -> str:
    """A field value as one readable line: JSON for objects and lists, ``—`` for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list | bool):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def row_url(entity: str, object_id: int) -> str | None:
    if entity == KNOWLEDGE:
        return reverse("inventory:knowledge")
    inventory = BY_MODEL[MODELS[entity]]
    return inventory.url("detail", object_id)


@dataclass
class ChangeView:
    """A change as the pages show it, with what the user may do about it."""

    record: ChangeRecord
    fields: list[tuple[str, str, str]]
    entity_title: str
    url: str | None
    history_url: str | None
    can_restore: bool
    restore_label: str


def views_for(records: list[ChangeRecord], user: Any) -> list[ChangeView]:
    existing: dict[str, set[int]] = {}
    for entity in {record.entity for record in records}:
        ids = {record.object_id for record in records if record.entity == entity}
        existing[entity] = set(
            MODELS[entity]._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        )
    result = []
    for record in records:
        alive = record.object_id in existing[record.entity]
        if record.action == ChangeRecord.Action.DELETE:
            fields = [(name, shown(value), "") for name, value in record.snapshot.items()]
        else:
            fields = [
                (name, shown(change["before"]), shown(change["after"]))
                for name, change in record.field_changes.items()
            ]
        label = "Restore this version" if alive else "Undelete"
        result.append(
            ChangeView(
                record,
                fields,
                ENTITY_TITLES.get(record.entity, record.entity),
                row_url(record.entity, record.object_id) if alive else None,
                None
                if record.entity == KNOWLEDGE
                else BY_MODEL[MODELS[record.entity]].url("history", record.object_id),
                may_restore(user, record, alive),
                label,
            )
        )
    return result


class RowHistoryPage(InventoryView):
    """The History tab of a detail page (also reachable once the row was deleted)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = self.inventory.queryset().filter(pk=pk).first()
        queryset = feed.filtered({"entity": self.inventory.key, "object_id": pk})
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        records = list(page.object_list)
        if instance is None and not records:
            raise Http404(f"no {self.inventory.verbose_name} with id {pk}")
        return render(
            request,
            "inventory/history.html",
            self.base_context(
                object=instance,
                object_id=pk,
                object_name=str(instance) if instance else records[0].object_name,
                changes=views_for(records, request.user),
                detail_url=self.inventory.url("detail", pk) if instance else None,
                history_url=self.inventory.url("history", pk),
                page=page,
                query="",
            ),
        )


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip() for key in feed.FILTERS if request.GET.get(key)}


class ChangesPage(LoginRequiredMixin, View):
    """Every change the user may see, newest first, filtered by entity, actor, operation,
    action and time range."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = _filters(request)
        errors: list[str] = []
        try:
            queryset = feed.filtered(filters, visible_entities(request.user))
        except RegistryValidationError as error:
            errors = [m for items in error.errors.values() for m in items]
            queryset = ChangeRecord.objects.none()
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "inventory/changes.html",
            {
                "section": "changes",
                "filters": filters,
                "errors": errors,
                "page": page,
                "changes": views_for(list(page.object_list), request.user),
                "entities": [(key, ENTITY_TITLES[key]) for key in visible_entities(request.user)],
                "actions": ChangeRecord.Action.values,
                "query": query.urlencode(),
                "export_url": reverse("inventory:changes-export") + "?" + query.urlencode(),
            },
        )


class ChangesExport(LoginRequiredMixin, View):
    """The filtered changes as CSV (through the project's CSV writer), streamed."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        queryset = feed.filtered(_filters(request), visible_entities(request.user))
        rows = (feed.as_dict(record) for record in queryset.iterator(chunk_size=1000))
        response = StreamingHttpResponse(
            csv_lines(list(CSV_COLUMNS), rows), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="changes-{stamp}.csv"'
        return response


class RestoreChange(LoginRequiredMixin, View):
    """POST: write back the version of one change (or undelete), then go back."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            record = restore.load(pk)
        except RegistryValidationError as error:
            raise Http404(str(error)) from error
        if not may_restore(request.user, record):
            raise PermissionDenied
        options = {key: request.POST.get(key) == "on" for key in WRITE_OPTIONS}
        try:
            result = restore.restore(record.pk, **options)
        except RegistryValidationError as error:
            for items in error.errors.values():
                for message in items:
                    messages.error(request, f"Not restored: {message}")
        else:
            verb = "Undeleted" if result["action"] == "undeleted" else "Restored"
            messages.success(request, f"{verb} {record.object_name} as of change {record.pk}.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("inventory:changes")
        return HttpResponseRedirect(target)
