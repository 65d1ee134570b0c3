"""The admin action that prunes stale registered rows, with a confirmation page first."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from ..errors import RegistryValidationError
from . import stale

CONFIRM_KEY = "confirm_prune"


@admin.action(
    description="Prune selected stale models (confirm first; storage on disk is not touched)",
    permissions=["delete"],
)
def prune_stale_rows(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> TemplateResponse | None:
    """Among the selected rows, list the stale ones; on confirmation delete exactly those."""
    if request.POST.get(CONFIRM_KEY) == "yes":
        try:
            result = stale.prune_stale(request.POST.getlist("stale_ids"), confirm=True)
        except RegistryValidationError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        names = ", ".join(row["name"] for row in result["deleted"])
        modeladmin.message_user(
            request,
            f"Deleted {len(result['deleted'])} stale registered model row(s): {names}. "
            f"{stale.STORAGE_NOTE}",
            messages.SUCCESS,
        )
        return None
    found = stale.find_stale(ids=list(queryset.values_list("pk", flat=True)))
    for item in found["kept"]:
        modeladmin.message_user(
            request,
            f"Not pruned: {item['name']} is the knowledge embedding model.",
            messages.WARNING,
        )
    if not found["rows"]:
        modeladmin.message_user(request, "None of the selected models is stale.", messages.INFO)
        return None
    context: dict[str, Any] = {
        **modeladmin.admin_site.each_context(request),
        "title": "Prune stale registered models",
        "opts": modeladmin.model._meta,
        "found": found,
        "action": "prune_stale_rows",
        "confirm_key": CONFIRM_KEY,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "inventory/workflows/admin_prune.html", context)
