"""Workflow pages: bind a catalog model to an engine, deactivate, reconcile, stale rows,
import (upload → dry-run preview → apply) and export. Each delegates to
``module_sdk.workflows``; errors come from the core and are shown as page messages."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views import View

from .. import capacity
from ..errors import RegistryValidationError
from ..failures import plain_text_error
from ..models import AvailableModel, Engine, RegisteredModel
from ..sdk import module_sdk
from ..workflows import permissions as needs
from ..workflows import transfer
from ..workflows.binding import binding_name, provider_refusal

WORKFLOWS = module_sdk.workflows


def model_url(pk: int) -> str:
    return reverse("inventory:models-detail", args=[pk])


def error_messages(request: HttpRequest, error: RegistryValidationError) -> None:
    for field, items in error.errors.items():
        for message in items:
            prefix = "" if field == "__all__" or field in message else f"{field}: "
            messages.error(request, prefix + message)


def engine_capacity_text(engine: Engine, used: list[int]) -> str:
    """``VRAM 60 GB of 80 GB used`` for an engine whose active models need ``used``
    (``[vram, ram]``, from ``capacity.committed``)."""
    values = {
        "vram_total_mb": engine.vram_total_mb,
        "ram_total_mb": engine.ram_total_mb,
        "ctx_vram_used_mb": used[0],
        "ctx_ram_used_mb": used[1],
    }
    parts = [
        f"{label} {capacity.humanize_mb(values[f'ctx_{kind}_used_mb'])} of "
        f"{capacity.humanize_mb(values[f'{kind}_total_mb'])} used"
        for label, kind in (("VRAM", "vram"), ("RAM", "ram"))
        if values[f"{kind}_total_mb"] is not None
    ]
    return "; ".join(parts)


def detail_workflow(instance: Any, user: Any, with_reconcile: bool = False) -> dict[str, Any]:
    """The workflow links of a detail page, by the row's kind and the user's permissions."""
    result: dict[str, Any] = {}
    if isinstance(instance, AvailableModel) and user.has_perms(needs.BIND):
        result["bind_url"] = reverse("inventory:workflow-bind", args=[instance.pk])
    if not isinstance(instance, RegisteredModel):
        return result
    if instance.status != RegisteredModel.Status.AVAILABLE and user.has_perms(needs.DEACTIVATE):
        result["deactivate_url"] = reverse("inventory:workflow-deactivate", args=[instance.pk])
        settings = instance.knowledge_settings()
        result["deactivate_needs_confirmation"] = bool(settings and settings.enabled)
    if with_reconcile and instance.available_model_id and user.has_perms(needs.RECONCILE_VIEW):
        result["reconcile"] = WORKFLOWS.reconcile(instance.pk)
        result["can_apply"] = user.has_perms(needs.RECONCILE_APPLY)
    return result


class WorkflowView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A workflow page; ``perms`` maps the HTTP method to the permissions it needs."""

    perms: dict[str, tuple[str, ...]] = {}

    def get_permission_required(self) -> tuple[str, ...]:
        return self.perms.get(self.request.method, ("inventory.nobody",))


class BindPage(WorkflowView):
    perms = {"GET": needs.BIND, "POST": needs.BIND}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, get_object_or_404(AvailableModel, pk=pk))

    def page(self, request: HttpRequest, catalog: AvailableModel, **extra: Any) -> HttpResponse:
        """Compatible engines first; an incompatible one is listed disabled with the reason.
        The row name defaults to the binding name on the chosen engine."""
        listed = list(Engine.objects.order_by("name"))
        used = capacity.committed([engine.pk for engine in listed])
        engines = [
            {
                "engine": engine,
                "refusal": provider_refusal(catalog, engine),
                "default_name": binding_name(engine.pk, catalog.name),
                "capacity": engine_capacity_text(engine, used[engine.pk]),
            }
            for engine in listed
        ]
        engines.sort(key=lambda item: item["refusal"] is not None)
        selected = extra.pop("selected", None) or next(
            (str(item["engine"].pk) for item in engines if item["refusal"] is None), None
        )
        default = next(
            (item["default_name"] for item in engines if str(item["engine"].pk) == selected), ""
        )
        context = {
            "catalog": catalog,
            "engines": engines,
            "selected": selected,
            "name": extra.pop("name", None) or default,
            "section": "catalog",
            **extra,
        }
        return render(request, "inventory/workflows/bind.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        catalog = get_object_or_404(AvailableModel, pk=pk)
        raw_config = request.POST.get("extra_config", "").strip()
        try:
            extra = json.loads(raw_config) if raw_config else None
        except ValueError as error:
            messages.error(request, f"extra_config is not valid JSON: {error}")
            return self.page(request, catalog, extra_config=raw_config)
        except RecursionError:
            messages.error(request, "extra_config is not valid JSON: nested too deeply")
            return self.page(request, catalog, extra_config=raw_config)
        try:
            result = WORKFLOWS.bind(
                request.POST.get("engine_id"),
                catalog.pk,
                extra,
                bool(request.POST.get("confirm_embedding_model_change")),
                bool(request.POST.get("allow_over_capacity")),
                request.POST.get("name", "").strip() or None,
            )
        except RegistryValidationError as error:
            error_messages(request, error)
            return self.page(
                request,
                catalog,
                extra_config=raw_config,
                selected=request.POST.get("engine_id"),
                name=request.POST.get("name", ""),
            )
        row = result["row"]
        verb = "Registered" if result["created"] else "Updated"
        messages.success(request, f"{verb} {row['name']} on the engine (status active).")
        return HttpResponseRedirect(model_url(row["id"]))


class DeactivateAction(WorkflowView):
    perms = {"POST": needs.DEACTIVATE}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            row = WORKFLOWS.deactivate(pk, bool(request.POST.get("confirm_embedding_model_change")))
        except RegistryValidationError as error:
            error_messages(request, error)
            return HttpResponseRedirect(model_url(pk))
        if row is None:
            raise Http404("No registered model has this id.")
        messages.success(request, f"{row['name']} deactivated: its status is available again.")
        return HttpResponseRedirect(model_url(pk))


class ReconcilePage(WorkflowView):
    perms = {"GET": needs.RECONCILE_VIEW, "POST": needs.RECONCILE_APPLY}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        model = get_object_or_404(RegisteredModel, pk=pk)
        try:
            result = WORKFLOWS.reconcile(pk)
        except RegistryValidationError as error:
            result = None
            error_messages(request, error)
        context = {
            "object": model,
            "result": result,
            "can_apply": request.user.has_perms(needs.RECONCILE_APPLY),
            "section": "models",
        }
        return render(request, "inventory/workflows/reconcile.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        get_object_or_404(RegisteredModel, pk=pk)
        fields = request.POST.getlist("fields")
        try:
            result = WORKFLOWS.apply_reconcile(
                pk,
                fields,
                bool(request.POST.get("confirm_embedding_model_change")),
                bool(request.POST.get("allow_over_capacity")),
            )
        except RegistryValidationError as error:
            error_messages(request, error)
            return HttpResponseRedirect(reverse("inventory:workflow-reconcile", args=[pk]))
        applied = ", ".join(result["applied"]) or "nothing"
        messages.success(request, f"Applied from the catalog: {applied}.")
        return HttpResponseRedirect(model_url(pk))


class StalePage(WorkflowView):
    perms = {"GET": needs.STALE_VIEW, "POST": needs.STALE_PRUNE}

    def get(self, request: HttpRequest) -> HttpResponse:
        engine_id = request.GET.get("engine_id") or None
        try:
            found = WORKFLOWS.find_stale(engine_id)
        except RegistryValidationError as error:
            error_messages(request, error)
            found = {"rows": [], "kept": [], "notes": []}
        context = {
            "found": found,
            "engines": Engine.objects.order_by("name"),
            "engine_id": engine_id,
            "can_prune": request.user.has_perms(needs.STALE_PRUNE),
            "section": "stale",
        }
        return render(request, "inventory/workflows/stale.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = request.POST.getlist("ids")
        if not request.POST.get("confirm"):
            messages.error(request, "Tick the confirmation box to delete the listed rows.")
            return HttpResponseRedirect(reverse("inventory:workflow-stale"))
        try:
            result = WORKFLOWS.prune_stale(ids, confirm=True)
        except RegistryValidationError as error:
            error_messages(request, error)
            return HttpResponseRedirect(reverse("inventory:workflow-stale"))
        names = ", ".join(row["name"] for row in result["deleted"]) or "none"
        messages.success(
            request,
            f"Deleted {len(result['deleted'])} registered model row(s): {names}. "
            "Storage on disk was not touched.",
        )
        return HttpResponseRedirect(reverse("inventory:workflow-stale"))


class ExportDownload(WorkflowView):
    perms = {"GET": needs.EXPORT}

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        try:
            filename = transfer.export_filename(fmt)
        except RegistryValidationError as error:
            return plain_text_error(str(error))
        response = StreamingHttpResponse(
            transfer.export_chunks(fmt), content_type=f"application/{fmt}; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("catalog/<int:pk>/bind/", BindPage.as_view(), name="workflow-bind"),
    path("models/<int:pk>/deactivate/", DeactivateAction.as_view(), name="workflow-deactivate"),
    path("models/<int:pk>/reconcile/", ReconcilePage.as_view(), name="workflow-reconcile"),
    path("models/stale/", StalePage.as_view(), name="workflow-stale"),
    path("inventory/export.<str:fmt>", ExportDownload.as_view(), name="workflow-export"),
]
