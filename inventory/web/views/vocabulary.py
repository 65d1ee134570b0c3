"""The vocabulary page: each governed vocabulary with its terms and aliases; administrators
add terms and aliases, and remove added ones that no row uses.

Viewing needs a login; adding needs ``add_vocabularyterm`` / ``add_vocabularyalias``,
removing ``delete_vocabularyterm`` / ``delete_vocabularyalias``. Writes go through
``inventory.vocabulary_service``, as the SDK's and the API's do.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ... import vocabulary_service as service
from ...errors import RegistryValidationError
from ...vocabularies import KINDS

#: POST action → (permission, service call reading the form)
ACTIONS = {
    "add_term": (
        "inventory.add_vocabularyterm",
        lambda data: service.add_term(
            {key: data.get(key, "") for key in ("kind", "name", "label", "description")}
        ),
    ),
    "add_alias": (
        "inventory.add_vocabularyalias",
        lambda data: service.add_alias(
            {key: data.get(key, "") for key in ("kind", "alias", "term")}
        ),
    ),
    "remove_term": (
        "inventory.delete_vocabularyterm",
        lambda data: service.remove_term(data.get("kind"), data.get("name", "")),
    ),
    "remove_alias": (
        "inventory.delete_vocabularyalias",
        lambda data: service.remove_alias(data.get("kind"), data.get("alias", "")),
    ),
}


class VocabularyPage(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def page(
        self, request: HttpRequest, errors: dict | None = None, status: int = 200
    ) -> HttpResponse:
        terms = service.list_terms()
        vocabularies = [
            {
                "key": key,
                "title": kind.plural.capitalize(),
                "field": kind.field,
                "terms": [row for row in terms if row["kind"] == key],
            }
            for key, kind in KINDS.items()
        ]
        user = request.user
        return render(
            request,
            "inventory/vocabulary.html",
            {
                "section": "vocabulary",
                "vocabularies": vocabularies,
                "kinds": [(key, kind.plural) for key, kind in KINDS.items()],
                "errors": errors or {},
                "values": request.POST if errors else {},
                "can_add_term": user.has_perm("inventory.add_vocabularyterm"),
                "can_add_alias": user.has_perm("inventory.add_vocabularyalias"),
                "can_remove_term": user.has_perm("inventory.delete_vocabularyterm"),
                "can_remove_alias": user.has_perm("inventory.delete_vocabularyalias"),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return self.page(request, {"action": [f"unknown action {action!r}"]}, 400)
        permission, call = ACTIONS[action]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        try:
            result = call(request.POST)
        except RegistryValidationError as error:
            return self.page(request, error.errors, 400)
        if result is False:
            messages.warning(request, "Nothing to remove: it was already gone.")
        else:
            messages.success(request, "Vocabulary updated.")
        return HttpResponseRedirect(reverse("inventory:vocabulary"))
