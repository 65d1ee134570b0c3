"""The admin's History page of every inventory row shows its change records, and the
"Changes" admin lists every record with restore (a version) and undelete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..errors import RegistryValidationError
from ..models import ChangeRecord
from . import feed, restore
from .access import may_restore
from .recording import ENTITIES


def _restore(request: HttpRequest, record: ChangeRecord, notify: Any) -> bool:
    """Restore one version as the admin user; report the outcome. ``False`` if refused."""
    if not may_restore(request.user, record):
        notify(request, f"Not restored: no permission for change {record.pk}.", messages.ERROR)
        return False
    try:
        result = restore.restore(record.pk)
    except RegistryValidationError as error:
        for items in error.errors.values():
            for message in items:
                notify(request, f"Not restored (change {record.pk}): {message}", messages.ERROR)
        return False
    verb = "Undeleted" if result["action"] == "undeleted" else "Restored"
    notify(request, f"{verb} {record.object_name} as of change {record.pk}.", messages.SUCCESS)
    return True


class HistoryAdminMixin:
    """``history_view`` shows the row's change records (every door's writes)."""

    object_history_template = "admin/inventory/change_records.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        model = self.model  # type: ignore[attr-defined]
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, model._meta, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        records = list(feed.filtered({"entity": ENTITIES[model], "object_id": obj.pk}))
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": f"Change history: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": model._meta,
            "rows": [(record, may_restore(request.user, record)) for record in records],
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)


@admin.action(description="Restore the selected versions (undelete deleted rows)")
def restore_versions(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    for record in queryset.order_by("id"):
        _restore(request, record, modeladmin.message_user)


class ChangeRecordAdmin(admin.ModelAdmin):
    """Read-only: records are written by the writes themselves, never by hand."""

    list_display = ("id", "time", "entity", "object_name", "object_id", "action", "actor", "source")
    list_filter = ("entity", "action", "source")
    search_fields = ("actor", "object_name", "=operation")
    date_hierarchy = "time"
    actions = (restore_versions,)
    readonly_fields = [field.name for field in ChangeRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        restore_url = path(
            "<int:pk>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name="inventory_changerecord_restore",
        )
        return [restore_url, *super().get_urls()]

    def restore_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            raise PermissionDenied
        record = ChangeRecord.objects.filter(pk=pk).first()
        if record is None:
            self.message_user(request, f"Change {pk} does not exist.", messages.ERROR)
        else:
            _restore(request, record, self.message_user)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse(f"{self.admin_site.name}:inventory_changerecord_changelist")
        return HttpResponseRedirect(target)
