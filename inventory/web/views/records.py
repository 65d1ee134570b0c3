"""Detail, create, edit and delete pages of one inventory row."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from ... import extra_config_help
from ...errors import RegistryProtectedError, RegistryValidationError
from ...impact import delete_impact
from ...models import Engine
from ...services import delete_instance
from .. import details
from ..entities import BY_KEY, Inventory
from ..forms import CONFIRM_FIELD, FORMS, CoreValidatedForm
from .access import InventoryView


class DetailPage(InventoryView):
    """One row: its fields in sections, its related rows beside them, the API row below."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = get_object_or_404(self.inventory.queryset(), pk=pk)
        declaration = self.inventory.declaration
        found = declaration.page_values(declaration.queryset().filter(pk=pk))
        if not found:
            raise Http404
        values = found[0]
        sections = details.sections_for(self.inventory, values, instance)
        return render(
            request,
            "inventory/detail.html",
            self.base_context(
                object=instance,
                sections=sections,
                empty_fields=[
                    item for section in sections for item in section.fields if item.empty
                ],
                panels=details.panels_for(self.inventory, instance, values, request.user),
                api_row=details.api_row(self.inventory, values),
                api_url=details.api_url(self.inventory, instance.pk),
                **context_notes(self.inventory, instance, values),
                edit_url=self.inventory.url("edit", instance.pk),
                delete_url=self.inventory.url("delete", instance.pk),
                history_url=self.inventory.url("history", instance.pk),
            ),
        )


def context_notes(inventory: Inventory, instance: Any, values: Any) -> dict[str, Any]:
    """What a reader of the row should know about others: a registered model's warnings, an
    engine's capacity against what its active models need."""
    row = inventory.declaration.serialize(values)
    if isinstance(instance, Engine):
        usage = details.engine_usage(instance, values)
        return {"capacity": usage, "capacity_over": row["over_capacity"]}
    return {"row_warnings": row.get("warnings") or []}


class FormPage(InventoryView):
    """Create (``pk`` absent) or edit one row."""

    def get_permission_required(self) -> tuple[str, ...]:
        action = "change" if "pk" in self.kwargs else "add"
        return (self.inventory.perm(action),)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        original = self._original(pk)
        form_class = FORMS[self.inventory.key]
        initial = {
            key: value for key, value in request.GET.lists() if key in form_class.base_fields
        }
        initial = {key: value if len(value) > 1 else value[0] for key, value in initial.items()}
        if original:
            initial["etag"] = self.inventory.service.etag(original)
        instance = copy.copy(original) if original else None
        return self._render(form_class(instance=instance, initial=initial), original)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is not None:
            return self._edit(request, pk)
        form = FORMS[self.inventory.key](request.POST)
        if form.is_valid():
            try:
                saved = form.save_through(self.inventory.service)
            except RegistryValidationError as error:
                form.add_core_errors(error.errors)
            else:
                return self._saved(saved, "Created")
        return self._render(form, None, needs_confirmation=form.passes_with_confirmation())

    def _edit(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The row is read once, under its lock, in the transaction that saves it; the form
        validates a copy of it."""
        service = self.inventory.service
        try:
            with service.locked(pk) as row:
                if row is None:
                    raise Http404(f"no {self.inventory.verbose_name} with id {pk}")
                original = copy.copy(row.instance)
                form = FORMS[self.inventory.key](request.POST, instance=copy.copy(original))
                if form.is_valid():
                    etag = form.cleaned_data["etag"] or None
                    return self._saved(form.save_through(service, etag, row), "Saved")
        except RegistryValidationError as error:
            form.add_core_errors(error.errors)
        return self._render(form, original, needs_confirmation=form.passes_with_confirmation())

    def _saved(self, saved: models.Model, verb: str) -> HttpResponse:
        messages.success(self.request, f"{verb} {self.inventory.verbose_name} {saved}.")
        return HttpResponseRedirect(self.inventory.url("detail", saved.pk))

    def _original(self, pk: int | None) -> models.Model | None:
        if pk is None:
            return None
        return get_object_or_404(self.inventory.queryset(), pk=pk)

    def _render(
        self,
        form: CoreValidatedForm,
        original: models.Model | None,
        needs_confirmation: bool = False,
    ) -> HttpResponse:
        capabilities = form["capabilities"].value() if "capabilities" in form.fields else None
        return render(
            self.request,
            "inventory/form.html",
            self.base_context(
                form=form,
                object=original,
                detail_url=self.inventory.url("detail", original.pk) if original else None,
                schemas=extra_config_help.help_context(capabilities)
                if "extra_config" in form.fields
                else None,
                confirm_field=CONFIRM_FIELD if CONFIRM_FIELD in form.fields else None,
                needs_confirmation=needs_confirmation,
            ),
        )


class DeletePage(InventoryView):
    """A confirmation page; a refused delete shows the core's reason."""

    action = "delete"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = get_object_or_404(self.inventory.queryset(), pk=pk)
        return self._render(instance)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = get_object_or_404(self.inventory.queryset(), pk=pk)
        name = str(instance)
        try:
            delete_instance(instance)
        except RegistryProtectedError as error:
            return self._render(instance, refusal=error.message, status=409)
        messages.success(request, f"Deleted {self.inventory.verbose_name} {name}.")
        return HttpResponseRedirect(self.inventory.url("list"))

    def _render(
        self, instance: models.Model, refusal: str | None = None, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            "inventory/delete.html",
            self.base_context(
                object=instance,
                refusal=refusal,
                impact=impact_for_page(self.inventory, instance),
                detail_url=self.inventory.url("detail", instance.pk),
            ),
            status=status,
        )


def impact_for_page(inventory: Inventory, instance: models.Model) -> dict[str, Any]:
    """``delete_impact`` with links: the rows named, their list, and the way out."""
    found = delete_impact(inventory.key, instance)
    for key in ("refused", "unlinked"):
        part = found[key]
        if not part:
            continue
        other = BY_KEY[part["entity"]]
        for row in part["rows"]:
            row["url"] = other.url("detail", row["id"])
        column = "engine_id" if inventory.key == "engine_registry" else "available_model_id"
        part["list_url"] = f"{other.url('list')}?{urlencode({column: instance.pk})}"
    way_out = found["way_out"]
    if way_out and way_out["action"] == "move":
        models_inventory = BY_KEY["model_registry"]
        selection = {"action": "move", "all": "1", "filter": urlencode(way_out["filters"])}
        way_out["url"] = f"{models_inventory.url('bulk')}?{urlencode(selection)}"
        way_out["label"] = "Move the models to another engine"
    elif way_out:
        way_out["url"] = reverse("inventory:knowledge")
        way_out["label"] = "Pick another knowledge embedding model"
    return found
