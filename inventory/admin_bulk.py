"""The admin's side of bulk work and delete impact.

Admin actions run through ``inventory.bulk`` (every row validated by its model, one
transaction, all or nothing, refusals reported by row); "Edit or move selected…" opens the
inventory's bulk page with the selection; delete confirmations show ``delete_impact`` with
links to the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from .bulk import BulkRefusedError, bulk
from .declarations import DECLARATIONS
from .errors import RegistryValidationError
from .impact import delete_impact
from .listing import ListDeclaration
from .models import KnowledgeSettings

#: The web page family of each entity (``/models/bulk/``…).
WEB_SLUGS = {
    "engine_registry": "engines",
    "available_model_registry": "catalog",
    "model_registry": "models",
}


def sdk_name(declaration: ListDeclaration) -> str:
    return next(name for name, item in DECLARATIONS.items() if item is declaration)


def run_bulk(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    action: str,
    changes: dict[str, Any] | None,
    done: str,
) -> None:
    """Run one bulk operation on the selected rows and report it as admin messages."""
    ids = list(queryset.values_list("pk", flat=True))
    try:
        report = bulk(sdk_name(model_admin.declaration), action, ids=ids, changes=changes)
    except BulkRefusedError as error:
        report = error.report
        for item in report["items"]:
            for field, texts in item.get("errors", {}).items():
                for text in texts:
                    label = "" if field == "__all__" else f"{field}: "
                    model_admin.message_user(
                        request, f"Refused {item['name']}: {label}{text}", messages.ERROR
                    )
        model_admin.message_user(
            request,
            f"Nothing was changed: {report['refused']} of {report['matched']} refused.",
            messages.ERROR,
        )
        return
    except RegistryValidationError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return
    opts = model_admin.model._meta
    noun = opts.verbose_name if report["changed"] == 1 else opts.verbose_name_plural
    model_admin.message_user(request, f"{done} {report['changed']} {noun}.", messages.SUCCESS)
    if report["unchanged"]:
        model_admin.message_user(request, f"{report['unchanged']} left unchanged.", messages.INFO)


@admin.action(description="Edit, move or delete selected %(verbose_name_plural)s…")
def bulk_edit(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
    """Open the bulk page (with preview and per-row report) for the selected rows."""
    slug = WEB_SLUGS[sdk_name(model_admin.declaration)]
    ids = list(queryset.values_list("pk", flat=True))
    query = urlencode({"action": "update", "ids": ids}, doseq=True)
    return HttpResponseRedirect(f"{reverse(f'inventory:{slug}-bulk')}?{query}")


def admin_delete_impact(
    site_name: str, declaration: ListDeclaration, obj: models.Model
) -> dict[str, Any]:
    """``delete_impact`` for an admin confirmation: rows linked to their admin pages."""
    name = sdk_name(declaration)
    found = delete_impact(name, obj)
    parts = []
    for key, text in (
        ("refused", "Registered models that refuse the delete"),
        ("unlinked", "Registered models that will lose their catalog link"),
    ):
        part = found[key]
        if not part:
            continue
        model = DECLARATIONS[part["entity"]].model
        url_name = f"{site_name}:{model._meta.app_label}_{model._meta.model_name}"
        column = "engine_id" if name == "engine_registry" else "available_model_id"
        rows = [
            {"name": row["name"], "url": reverse(f"{url_name}_change", args=[row["id"]])}
            for row in part["rows"]
        ]
        parts.append(
            {
                "kind": key,
                "text": text,
                "total": part["total"],
                "rows": rows,
                "list_url": f"{reverse(f'{url_name}_changelist')}?{urlencode({column: obj.pk})}",
            }
        )
    way_out = found["way_out"]
    if way_out and way_out["action"] == "move":
        query = urlencode({"action": "move", "all": "1", "filter": urlencode(way_out["filters"])})
        way_out = {
            "label": "Move its models to another engine",
            "url": f"{reverse('inventory:models-bulk')}?{query}",
        }
    elif way_out:
        settings = KnowledgeSettings.load()
        opts = KnowledgeSettings._meta
        url = reverse(f"{site_name}:{opts.app_label}_{opts.model_name}_change", args=[settings.pk])
        way_out = {"label": "Pick another knowledge embedding model", "url": url}
    return {**found, "parts": parts, "way_out": way_out}
