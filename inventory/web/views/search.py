"""The global search page: engines, catalog rows and registered models matching one text."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from ...errors import RegistryValidationError
from ...listing import SEARCH_KEY
from ...search import COUNT_CAP, SearchGroup, SearchHit, search
from ..entities import BY_KEY, INVENTORIES, Inventory


@dataclass(frozen=True)
class ShownHit:
    """One hit as the page shows it: its detail link and the matched value cut around the
    searched text (so the template can mark it without building HTML here)."""

    url: str
    hit: SearchHit
    before: str
    match: str
    after: str


def shown_hit(url: str, hit: SearchHit, text: str) -> ShownHit:
    start = hit.value.casefold().find(text.casefold())
    if start < 0 or len(hit.value.casefold()) != len(hit.value):
        return ShownHit(url, hit, hit.value, "", "")
    end = start + len(text)
    return ShownHit(url, hit, hit.value[:start], hit.value[start:end], hit.value[end:])


@dataclass(frozen=True)
class ShownGroup:
    """A group of hits with what the page links to: each row's detail and the full list."""

    inventory: Inventory
    group: SearchGroup
    text: str
    list_url: str

    @property
    def hits(self) -> list[ShownHit]:
        return [
            shown_hit(self.inventory.url("detail", hit.id), hit, self.text)
            for hit in self.group.hits
        ]

    @property
    def more(self) -> bool:
        return self.group.total > len(self.group.hits)


class SearchPage(LoginRequiredMixin, View):
    """``/search/?q=``: the first matches of each inventory the user may view."""

    def get(self, request: HttpRequest) -> HttpResponse:
        visible = [item.key for item in INVENTORIES if item.can(request.user, "view")]
        error = ""
        groups: list[ShownGroup] = []
        text = request.GET.get(SEARCH_KEY, "")
        try:
            result = search(text, entities=visible)
        except RegistryValidationError as failure:
            error = failure.message
        else:
            text = result.q
            for group in result.groups:
                inventory = BY_KEY[group.entity]
                link = f"{inventory.url('list')}?{urlencode({SEARCH_KEY: result.q})}"
                groups.append(ShownGroup(inventory, group, result.q, link))
        context = {
            "section": "search",
            "q": text,
            "groups": groups,
            "error": error,
            "count_cap": COUNT_CAP,
            "found": sum(item.group.total for item in groups),
        }
        return render(request, "inventory/search.html", context, status=400 if error else 200)
