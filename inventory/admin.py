"""Django admin for engines, catalog models, registered models and the knowledge settings.

Changelists are generated from the list declarations (``admin_lists``); writes go through the
core's validation and services (``admin_writes``). Nothing here restates a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from . import capabilities as caps
from . import (
    extra_config,
    extra_config_help,
    vocabulary_admin,  # noqa: F401  (registers the vocabulary admin)
)
from .admin_bulk import admin_delete_impact, bulk_edit, run_bulk
from .admin_lists import DeclaredListAdmin, change_url, changelist_url
from .admin_writes import ConfirmEmbeddingChangeForm, RegistryAdminForm, ValidatedAdmin
from .api.admin import ApiTokenAdmin
from .declarations import AVAILABLE_MODELS, ENGINES, REGISTERED_MODELS
from .forms import over_capacity_field
from .history.admin import ChangeRecordAdmin
from .models import (
    ApiToken,
    AvailableModel,
    ChangeRecord,
    Engine,
    KnowledgeSettings,
    RegisteredModel,
)
from .workflows.admin_actions import prune_stale_rows

TIMESTAMPS = ("created_at", "updated_at")

admin.site.site_header = "Model Registry administration"
admin.site.site_title = "Model Registry admin"
admin.site.index_title = "Inventory administration"


class CapabilityHelp:
    """Help texts from the vocabulary, and the ``extra_config`` keys its capabilities allow,
    worked out when the form is shown (a save that succeeds reads no vocabulary for them)."""

    fields: dict
    instance: Any

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        if "capabilities" in self.fields:
            self.fields["capabilities"].help_text = RenderedWhenShown(_capabilities_help)
        if "extra_config" in self.fields:
            field = self.fields["extra_config"]
            capabilities = (
                self.data.get(self.add_prefix("capabilities"))
                if self.is_bound
                else self.instance.capabilities
            )
            editor_id = self.auto_id % self.add_prefix("extra_config")
            # Read the vocabulary only when the form is shown, not on a save that succeeds.
            field.help_text = RenderedWhenShown(
                lambda: extra_config_admin_help(capabilities, editor_id)
            )

    class Media:
        js = ("inventory/extra_config.js",)


class RenderedWhenShown:
    """A help text rendered when the page shows it: a form that only validates (a save that
    succeeds) never reads the vocabulary for it. Truthiness reads nothing."""

    def __init__(self, render: Callable[[], str]):
        self.render = render

    def __bool__(self) -> bool:
        return True

    @cached_property
    def text(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return conditional_escape(self.text)


def extra_config_admin_help(capabilities: Any, editor_id: str) -> str:
    """The forms' ``extra_config`` help (a template, so escaped) for the admin's help text."""
    context = {"schemas": extra_config_help.help_context(capabilities), "editor_id": editor_id}
    return mark_safe(
        "A JSON object; its keys depend on the capabilities."
        + render_to_string("inventory/_extra_config_help.html", context)
    )


def _capabilities_help() -> str:
    return f"Comma-separated, from: {', '.join(caps.known())} (aliases accepted)."


class CatalogModelForm(CapabilityHelp, RegistryAdminForm):
    pass


class RegisteredModelForm(CapabilityHelp, ConfirmEmbeddingChangeForm):
    allow_over_capacity = over_capacity_field()


class InventoryAdmin(DeclaredListAdmin, ValidatedAdmin):
    """A declared changelist with validated writes; its actions run as bulk operations (one
    transaction, every row validated, refusals reported by row)."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            actions["bulk_edit"] = (bulk_edit, "bulk_edit", bulk_edit.short_description)
        return actions

    @admin.action(description="Activate selected %(verbose_name_plural)s", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        active = self.model.Status.ACTIVE  # type: ignore[attr-defined]
        run_bulk(self, request, queryset, "update", {"status": active}, "Activated")

    @admin.action(
        description="Deactivate selected active %(verbose_name_plural)s", permissions=["change"]
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_bulk(self, request, queryset, "deactivate", None, "Deactivated")

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        """The delete confirmation, with what the delete would refuse, unlink or leave stale."""
        obj = context.get("object")
        if obj is not None:
            context["impact"] = admin_delete_impact(self.admin_site.name, self.declaration, obj)
        return super().render_delete_form(request, context)

    def related_list_link(
        self, model: type[models.Model], count: int, noun: str, **filters: Any
    ) -> str:
        return format_html(
            '<a href="{}">{} {}</a>',
            changelist_url(self.admin_site.name, model, **filters),
            count,
            noun if count == 1 else f"{noun}s",
        )


@admin.register(Engine)
class EngineAdmin(InventoryAdmin):
    declaration = ENGINES
    readonly_fields = ("registered_models", *TIMESTAMPS)
    actions = ("activate", "deactivate")

    @admin.display(description="Registered models")
    def registered_models(self, obj: Engine) -> str:
        count = obj.registered_models.count()
        return self.related_list_link(RegisteredModel, count, "registered model", engine_id=obj.pk)


@admin.register(AvailableModel)
class AvailableModelAdmin(InventoryAdmin):
    declaration = AVAILABLE_MODELS
    form = CatalogModelForm
    readonly_fields = ("registered_models", *TIMESTAMPS)

    @admin.display(description="Registered models")
    def registered_models(self, obj: AvailableModel) -> str:
        count = obj.registered_models.count()
        return self.related_list_link(
            RegisteredModel, count, "registered model", available_model_id=obj.pk
        )


@admin.register(RegisteredModel)
class RegisteredModelAdmin(InventoryAdmin):
    declaration = REGISTERED_MODELS
    form = RegisteredModelForm
    autocomplete_fields = ("engine", "available_model")
    readonly_fields = ("runtime_methods", *TIMESTAMPS)
    actions = ("activate", "deactivate", "mark_downloaded", "mark_not_downloaded", prune_stale_rows)

    @admin.display(description="Runtime methods")
    def runtime_methods(self, obj: RegisteredModel) -> str:
        return ", ".join(obj.runtime_methods) or "-"

    @admin.action(description="Mark selected models downloaded", permissions=["change"])
    def mark_downloaded(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_bulk(self, request, queryset, "update", {"is_downloaded": True}, "Marked downloaded:")

    @admin.action(description="Mark selected models not downloaded", permissions=["change"])
    def mark_not_downloaded(self, request: HttpRequest, queryset: QuerySet) -> None:
        changes = {"is_downloaded": False}
        run_bulk(self, request, queryset, "update", changes, "Marked not downloaded:")


class KnowledgeSettingsForm(ConfirmEmbeddingChangeForm):
    class Meta:
        model = KnowledgeSettings
        fields = ("enabled", "embedding_model")


@admin.register(KnowledgeSettings)
class KnowledgeSettingsAdmin(ValidatedAdmin):
    """The one settings row: no add, no delete; the list opens the row."""

    form = KnowledgeSettingsForm
    autocomplete_fields = ("embedding_model",)
    readonly_fields = ("dim", "updated_at")

    @admin.display(description="Embedding dim")
    def dim(self, obj: KnowledgeSettings) -> Any:
        model = obj.embedding_model
        return extra_config.valid_dim(model.extra_config) if model else None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings = KnowledgeSettings.load()
        return HttpResponseRedirect(
            change_url(self.admin_site.name, KnowledgeSettings, settings.pk)
        )


admin.site.register(ApiToken, ApiTokenAdmin)
admin.site.register(ChangeRecord, ChangeRecordAdmin)
from . import admin_secrets  # noqa: E402, F401  (registers the secret key names admin)
