"""The bulk page of an inventory: change, move, deactivate or delete the rows ticked on the
list page, or every row matching its filter, through ``bulk`` (one transaction, a per-row
report, a preview that writes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from ...bulk import INACTIVE_STATUS, BulkRefusedError
from ...errors import RegistryValidationError
from ...listing import Field
from ...models import Engine
from ...sdk import module_sdk
from ..entities import Inventory
from ..forms import style
from ..querying import parse_list_query
from .access import InventoryView

#: Actions offered per page, with their button text and the permission each needs.
ACTIONS = {
    "update": ("Edit", "change"),
    "move": ("Move to engine", "change"),
    "deactivate": ("Deactivate", "change"),
    "delete": ("Delete", "delete"),
}
UNCHANGED = ("", "(unchanged)")
LIST_TYPES = ("capabilities", "list")


def actions_for(inventory: Inventory) -> list[tuple[str, str, str]]:
    """``(action, label, permission)`` the inventory supports."""
    result = []
    for action, (label, perm) in ACTIONS.items():
        if action == "move" and "engine_id" not in inventory.declaration.by_name:
            continue
        if action == "deactivate" and inventory.key not in INACTIVE_STATUS:
            continue
        result.append((action, label, perm))
    return result


def _bulk_fields(inventory: Inventory, action: str) -> dict[str, forms.Field]:
    """The change fields of the form: a choice per vocabulary, reference and flag field, and
    add/remove boxes per list field; all optional (empty: unchanged)."""
    fields: dict[str, forms.Field] = {}
    if action not in ("update", "move"):
        return fields
    for item in inventory.declaration.writable_fields:
        if action == "move" and item.name != "engine_id":
            continue
        field = _field_for(inventory, item)
        if isinstance(field, dict):
            fields.update(field)
        elif field is not None:
            fields[item.name] = field
    return fields


def _field_for(inventory: Inventory, item: Field) -> Any:
    if item.type == "choice":
        return forms.ChoiceField(
            label=item.label,
            required=False,
            choices=[UNCHANGED, *[(value, value or "(none)") for value in item.options or ()]],
        )
    if item.type == "boolean":
        return forms.ChoiceField(
            label=item.label, required=False, choices=[UNCHANGED, ("1", "yes"), ("0", "no")]
        )
    if item.type == "reference" and item.name == "engine_id":
        related = inventory.relations[item.name].related_model
        rows = related._default_manager.order_by("name").values_list("pk", "name")
        return forms.ChoiceField(
            label=item.label,
            required=False,
            choices=[UNCHANGED, *[(str(pk), name) for pk, name in rows]],
        )
    if item.type in LIST_TYPES:
        return {
            f"{verb}_{item.name}": forms.CharField(
                label=f"{verb.title()} {item.label.lower()}",
                required=False,
                help_text="Comma-separated.",
            )
            for verb in ("add", "remove")
        }
    return None


class BulkForm(forms.Form):
    allow_over_capacity = forms.BooleanField(
        required=False, label="Allow going beyond an engine's capacity"
    )
    confirm_embedding_model_change = forms.BooleanField(
        required=False, label="Confirm changes to the knowledge embedding model"
    )

    def __init__(self, *args: Any, inventory: Inventory, action: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields = {**_bulk_fields(inventory, action), **self.fields}
        if inventory.key != "model_registry":
            del self.fields["allow_over_capacity"]
            del self.fields["confirm_embedding_model_change"]
        for field in self.fields.values():
            style(field.widget)

    def changes(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key not in ("allow_over_capacity", "confirm_embedding_model_change")
            and value not in ("", None)
        }

    def options(self) -> dict[str, bool]:
        return {
            key: self.cleaned_data[key]
            for key in ("allow_over_capacity", "confirm_embedding_model_change")
            if self.cleaned_data.get(key)
        }


@dataclass
class Selection:
    """What the list page sent: ticked ids, or every row matching its filter."""

    ids: list[str]
    filter_query: str
    all_matching: bool
    errors: list[str]

    @classmethod
    def read(cls, params: QueryDict) -> Selection:
        return cls(
            ids=[value for value in params.getlist("ids") if value],
            filter_query=params.get("filter", ""),
            all_matching=params.get("all") == "1",
            errors=[],
        )

    def arguments(self, inventory: Inventory) -> dict[str, Any]:
        """``ids`` / ``filters`` for ``bulk``: the filter only when "all matching" is ticked,
        the ticked ids otherwise (none: refused by ``bulk`` itself)."""
        if self.all_matching:
            query = parse_list_query(inventory, QueryDict(self.filter_query))
            self.errors = [str(message) for message in [*query.errors, *query.warnings]]
            return {"filters": query.filters if query.valid else {}}
        return {"ids": self.ids}

    def describe(self, inventory: Inventory) -> str:
        if self.all_matching:
            query = parse_list_query(inventory, QueryDict(self.filter_query))
            if not query.valid:
                return "the rows of an invalid filter"
            total = query.list_request().filtered(inventory.queryset()).count()
            shown = ", ".join(f"{key}={value}" for key, value in query.filters.items())
            return f"all {total} rows matching {shown or 'no filter'}"
        return f"{len(self.ids)} selected row(s)"


class BulkPage(InventoryView):
    """``<inventory>/bulk/``: GET shows the form for the selection, POST previews or applies."""

    def get_permission_required(self) -> tuple[str, ...]:
        action = self._action()
        perm = ACTIONS[action][1] if action in ACTIONS else "change"
        return (self.inventory.perm(perm),)

    def _action(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        action = source.get("action", "update")
        offered = [item[0] for item in actions_for(self.inventory)]
        return action if action in offered else "update"

    def get(self, request: HttpRequest) -> HttpResponse:
        action = self._action()
        form = BulkForm(inventory=self.inventory, action=action)
        return self._render(form, action, Selection.read(request.GET))

    def post(self, request: HttpRequest) -> HttpResponse:
        action = self._action()
        selection = Selection.read(request.POST)
        form = BulkForm(request.POST, inventory=self.inventory, action=action)
        if not form.is_valid():
            return self._render(form, action, selection, status=400)
        dry_run = "preview" in request.POST
        arguments = selection.arguments(self.inventory)
        changes = form.changes()
        sdk_action = "update" if action == "move" else action
        if action == "move" and "engine_id" not in changes:
            form.add_error("engine_id", "choose the engine to move the rows to")
            return self._render(form, action, selection, status=400)
        report, refused, errors = None, False, []
        try:
            report = module_sdk.models[self.inventory.key].bulk(
                sdk_action,
                changes=changes if sdk_action == "update" else None,
                dry_run=dry_run,
                **arguments,
                **form.options(),
            )
        except BulkRefusedError as error:
            report, refused = error.report, True
        except RegistryValidationError as error:
            errors = [message for messages in error.errors.values() for message in messages]
        status = 400 if refused or errors else 200
        return self._render(
            form, action, selection, report=report, refused=refused, errors=errors, status=status
        )

    def _render(
        self,
        form: BulkForm,
        action: str,
        selection: Selection,
        status: int = 200,
        **extra: Any,
    ) -> HttpResponse:
        report = extra.get("report")
        if report:
            engines = dict(Engine.objects.values_list("pk", "name")) if action == "move" else {}
            for item in report["items"]:
                item["url"] = self.inventory.url("detail", item["id"])
                item["change_list"] = [
                    (field, _shown(field, values[0], engines), _shown(field, values[1], engines))
                    for field, values in item.get("changes", {}).items()
                ]
        return render(
            self.request,
            "inventory/bulk.html",
            self.base_context(
                form=form,
                action=action,
                action_label=ACTIONS[action][0],
                selection=selection,
                selection_text=selection.describe(self.inventory),
                bulk_url=self.inventory.url("bulk"),
                **extra,
            ),
            status=status,
        )


def _shown(field: str, value: Any, engines: dict[int, str]) -> Any:
    """A before/after value as a reader knows it: an engine by name, not by id."""
    if field == "engine_id" and value in engines:
        return engines[value]
    return "—" if value in ("", None) else value
