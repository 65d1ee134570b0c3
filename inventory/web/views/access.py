"""Access rules of the inventory pages: a login, then Django's model permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.views import View

from ..entities import Inventory


class InventoryView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A page of one inventory that needs the ``action`` permission on its model.

    Anonymous visitors are sent to the login page; a logged-in user without the permission
    gets 403.
    """

    inventory: Inventory | None = None
    action = "view"

    def get_permission_required(self) -> tuple[str, ...]:
        return (self.inventory.perm(self.action),)

    def base_context(self, **extra: Any) -> dict[str, Any]:
        return {
            "inventory": self.inventory,
            "can": self.inventory.abilities(self.request.user),
            "section": self.inventory.slug,
            "list_url": self.inventory.url("list"),
            "create_url": self.inventory.url("create"),
            **extra,
        }
