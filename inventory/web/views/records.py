"""Detail, create, edit and delete pages of one inventory row."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from ... import capabilities as caps
from ... import capacity, extra_config
from ...errors import RegistryProtectedError, RegistryValidationError
from ...impact import delete_impact
from ...listing import ListRequest
from ...models import Engine, KnowledgeSettings, RegisteredModel
from ...services import delete_instance
from ..entities import BY_KEY, INVENTORIES, Inventory
from ..forms import CONFIRM_FIELD, FORMS, CoreValidatedForm
from ..tables import SELECT_COLUMN, TABLES, render_value
from .access import InventoryView

RELATED_ROWS = 10


@dataclass
class RelatedList:
    """Rows of another inventory that point at this row (e.g. an engine's models)."""

    inventory: Inventory
    field: str
    label: str
    table: Any
    total: int
    list_url: str
    create_url: str | None


def detail_values(inventory: Inventory, instance: models.Model) -> list[tuple[Any, Any]]:
    """``(declared field, rendered value)`` for every declared field of a row."""
    declaration = inventory.declaration
    found = declaration.page_values(declaration.queryset().filter(pk=instance.pk))
    values = found[0] if found else {}
    result = []
    for item in declaration.fields:
        if item.source is None:
            value = item.derive(values) if item.derive else None
        elif item.read is not None or item.name in inventory.relations:
            relation = inventory.relations.get(item.name)
            value = getattr(instance, relation.name if relation else item.source)
        else:
            value = values[item.source]
        result.append((item, render_value(inventory, item, value)))
    return result


def related_lists(inventory: Inventory, instance: models.Model, user: Any) -> list[RelatedList]:
    """For each inventory with a reference to this one, its first rows pointing here."""
    result = []
    for other in INVENTORIES:
        if not other.can(user, "view"):
            continue
        for name, relation in other.relations.items():
            if relation.related_model is not inventory.model:
                continue
            request = ListRequest.build(other.declaration, {name: instance.pk})
            queryset = request.filtered(other.queryset())
            table = TABLES[other.key](queryset, order_by="name", exclude=(name, SELECT_COLUMN))
            table.paginate(page=1, per_page=RELATED_ROWS)
            result.append(
                RelatedList(
                    other,
                    name,
                    other.title,
                    table,
                    table.paginator.count,
                    f"{other.url('list')}?{name}={instance.pk}",
                    (
                        f"{other.url('create')}?{relation.name}={instance.pk}"
                        if other.can(user, "add")
                        else None
                    ),
                )
            )
    return result


class DetailPage(InventoryView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = get_object_or_404(self.inventory.queryset(), pk=pk)
        is_embedding_backend = (
            isinstance(instance, RegisteredModel)
            and KnowledgeSettings.objects.filter(embedding_model_id=instance.pk).exists()
        )
        return render(
            request,
            "inventory/detail.html",
            self.base_context(
                object=instance,
                values=detail_values(self.inventory, instance),
                related=related_lists(self.inventory, instance, request.user),
                is_embedding_backend=is_embedding_backend,
                **context_notes(self.inventory, instance),
                edit_url=self.inventory.url("edit", instance.pk),
                delete_url=self.inventory.url("delete", instance.pk),
                history_url=self.inventory.url("history", instance.pk),
            ),
        )


def context_notes(inventory: Inventory, instance: models.Model) -> dict[str, Any]:
    """What a reader of the row should know about others: a registered model's warnings, an
    engine's capacity against what its active models need."""
    row = inventory.declaration.row_for(instance)
    if isinstance(instance, Engine):
        usage = capacity.usage(instance, [row["vram_used_mb"], row["ram_used_mb"]])
        return {"capacity": usage, "capacity_over": row["over_capacity"]}
    return {"row_warnings": row.get("warnings") or []}


def schema_help(capabilities: Any) -> dict[str, Any]:
    """The ``extra_config`` JSON Schemas to show beside the JSON editor."""
    groups: dict[str, list[str]] = {}
    vocabulary = caps.known()
    for name, schema in extra_config.schemas_by_capability(vocabulary).items():
        groups.setdefault(_json(schema), []).append(name)
    selected = [name for name in vocabulary if name in _as_list(capabilities)]
    return {
        "selected": selected,
        "current": _json(extra_config.schema_for(selected)),
        "by_capability": [(names, text) for text, names in groups.items()],
    }


def _json(value: Any) -> str:
    return json.dumps(value, indent=2)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [token.strip() for token in value.split(",") if token.strip()]
    return list(value or [])


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
        original = self._original(pk)
        instance = copy.copy(original) if original else None
        form = FORMS[self.inventory.key](request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = form.save_through(self.inventory.service, form.cleaned_data["etag"] or None)
            except RegistryValidationError as error:
                form.add_core_errors(error.errors)
            else:
                verb = "Saved" if original else "Created"
                messages.success(request, f"{verb} {self.inventory.verbose_name} {saved}.")
                return HttpResponseRedirect(self.inventory.url("detail", saved.pk))
        return self._render(form, original, needs_confirmation=form.passes_with_confirmation())

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
                schemas=schema_help(capabilities) if "extra_config" in form.fields else None,
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
