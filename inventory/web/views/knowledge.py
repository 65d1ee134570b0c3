"""The knowledge settings page, with its confirmation step for a new embedding model."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views import View

from ...declarations import REGISTERED_MODELS
from ...errors import RegistryValidationError
from ...listing import ListRequest
from ...models import KnowledgeSettings
from ...services import KNOWLEDGE_KEYS, knowledge_config, update_knowledge_config
from ..entities import BY_MODEL
from ..forms import KnowledgeForm

PERMISSION = "inventory.{}_knowledgesettings"


def embedding_choices(current: int | None) -> list[tuple[str, str]]:
    """Registered models with the embedding capability, plus the current selection."""
    request = ListRequest.build(REGISTERED_MODELS, {"capabilities": "embedding"}, "name")
    rows = request.ordered().values_list("id", "name", "status")
    choices = [(str(pk), f"{name} ({status})") for pk, name, status in rows]
    if current is not None and str(current) not in {value for value, _ in choices}:
        model = REGISTERED_MODELS.queryset().filter(pk=current).values_list("name", "status")
        for name, status in model:
            choices.insert(0, (str(current), f"{name} ({status})"))
    return choices


def needs_confirmation(payload: dict[str, Any]) -> bool:
    """Whether the change would be accepted once confirmed (tried, then rolled back)."""
    try:
        with transaction.atomic():
            update_knowledge_config(payload, confirm_embedding_model_change=True)
            transaction.set_rollback(True)
    except RegistryValidationError:
        return False
    return True


class KnowledgePage(LoginRequiredMixin, View):
    """Viewing needs ``view_knowledgesettings``; changing needs ``change_knowledgesettings``."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        action = "view" if request.method in ("GET", "HEAD") else "change"
        if not request.user.has_perm(PERMISSION.format(action)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        config = knowledge_config()
        form = KnowledgeForm(
            initial={key: config[key] for key in KNOWLEDGE_KEYS},
            choices=embedding_choices(config["embedding_model_id"]),
        )
        return self._render(config, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        config = knowledge_config()
        form = KnowledgeForm(request.POST, choices=embedding_choices(config["embedding_model_id"]))
        confirmation = False
        if form.is_valid():
            payload = form.payload()
            confirmed = form.cleaned_data["confirm_embedding_model_change"]
            try:
                update_knowledge_config(payload, confirm_embedding_model_change=confirmed)
            except RegistryValidationError as error:
                form.add_core_errors(error.errors)
                confirmation = not confirmed and needs_confirmation(payload)
            else:
                messages.success(request, "Knowledge settings saved.")
                return HttpResponseRedirect(reverse("inventory:knowledge"))
        return self._render(config, form, confirmation=confirmation)

    def _render(
        self, config: dict[str, Any], form: KnowledgeForm, confirmation: bool = False
    ) -> HttpResponse:
        models_inventory = BY_MODEL[KnowledgeSettings.embedding_model.field.related_model]
        return render(
            self.request,
            "inventory/knowledge.html",
            {
                "section": "knowledge",
                "config": config,
                "updated_at": parse_datetime(config["updated_at"] or ""),
                "form": form,
                "confirmation": confirmation,
                "can_change": self.request.user.has_perm(PERMISSION.format("change")),
                "model_url": (
                    models_inventory.url("detail", config["embedding_model_id"])
                    if config["embedding_model_id"]
                    else None
                ),
            },
        )
