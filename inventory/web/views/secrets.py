"""An engine's config with its secrets in clear, for users with ``view_engine_secrets``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ... import secrets
from ...models import Engine
from ..entities import BY_MODEL
from ..presentation import pretty_json
from .access import InventoryView


class EngineSecretsPage(InventoryView):
    """Never cached (``Cache-Control: no-store``); every view is logged, without the values."""

    inventory = BY_MODEL[Engine]

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.inventory.perm("view"), secrets.REVEAL_PERMISSION)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        error = None
        try:
            found = secrets.clear_config_of(pk)
        except secrets.SecretsError as failure:
            found, error = {"id": pk, "name": str(pk), "config": None}, str(failure)
        if found is None:
            raise Http404(f"no engine with id {pk}")
        response = render(
            request,
            "inventory/secrets.html",
            self.base_context(
                engine=found,
                config=None if error else pretty_json(found["config"]),
                error=error,
                detail_url=self.inventory.url("detail", pk),
            ),
            status=500 if error else 200,
        )
        response["Cache-Control"] = "no-store"
        return response
