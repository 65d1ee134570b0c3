"""Saved views: a user's named filters, sort, columns and page size of a list page.

A view is saved from the list page's current query string, listed in the page's "Views"
menu (a link to the list with that query string) and managed on ``/<list>/views/``
(rename, make default, delete). Opening a list without any parameter applies the user's
default view of it. Every user sees and changes only their own views.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render

from ...listing import DEFAULT_PAGE_SIZE, SEARCH_KEY
from ...models import SavedView
from .. import presentation as show
from ..columns import COLUMNS_PARAM, canonical_params, choosable_fields, parse_columns
from ..entities import Inventory
from ..querying import PAGE_PARAM, PAGE_SIZE_PARAM, parse_list_query
from ..tables import SORT_PARAM
from .access import InventoryView

ACTIONS = ("save", "rename", "default", "delete")
#: The list URL parameter that shows the list as it is, without applying the default view.
STANDARD_VIEW = "page=1"


def view_params(inventory: Inventory, params: QueryDict) -> QueryDict:
    """The parameters a view keeps: no page number, the page size only when not the default,
    the columns in their canonical form, no empty values."""
    result = canonical_params(inventory, params)
    result.pop(PAGE_PARAM, None)
    if result.get(PAGE_SIZE_PARAM) == str(DEFAULT_PAGE_SIZE):
        result.pop(PAGE_SIZE_PARAM)
    for key in list(result):
        values = [value for value in result.getlist(key) if value]
        if values:
            result.setlist(key, values)
        else:
            result.pop(key)
    return result


def view_key(params: QueryDict) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What tells two views apart, whatever the order of their parameters."""
    return tuple(sorted((key, tuple(sorted(params.getlist(key)))) for key in params))


def fill_from_query(view: SavedView, inventory: Inventory, query_string: str) -> None:
    """Store the list query ``query_string`` in ``view``'s fields."""
    params = view_params(inventory, QueryDict(query_string, mutable=True))
    view.sort = params.pop(SORT_PARAM, [""])[-1]
    view.columns = params.pop(COLUMNS_PARAM, [""])[-1]
    page_size = params.pop(PAGE_SIZE_PARAM, [""])[-1]
    view.page_size = int(page_size) if page_size.isdigit() else None
    view.filters = params.urlencode()


def views_of(user: Any, inventory: Inventory) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user, list_key=inventory.key)


def problems_of(view: SavedView, inventory: Inventory) -> list[str]:
    """Why a stored view no longer applies cleanly (a vocabulary term removed since, a column
    or sort field that is gone): the list page's own messages for its query."""
    query = parse_list_query(inventory, view.params())
    return [*query.errors, *query.warnings]


def describe(view: SavedView, inventory: Inventory) -> list[str]:
    """What a view holds, in the page's words (``Status: Active``, ``sorted by Name,
    descending``, ``6 of 11 columns``, ``50 rows per page``)."""
    declaration = inventory.declaration
    labels = {entry.key: entry.label for entry in declaration.declared_filters()}
    labels[SEARCH_KEY] = declaration.search_label
    params = QueryDict(view.filters)
    parts = [
        f"{labels.get(key, key)}: "
        + ", ".join(show.status_label(value) if key == "status" else value for value in values)
        for key, values in params.lists()
    ]
    if view.sort:
        field = declaration.by_name.get(view.sort.lstrip("-"))
        label = field.label if field else view.sort.lstrip("-")
        parts.append(f"sorted by {label}" + (", descending" if view.sort[0] == "-" else ""))
    if view.columns:
        shown, _ = parse_columns(inventory, view.params())
        parts.append(f"{len(shown)} of {len(choosable_fields(inventory))} columns")
    if view.page_size:
        parts.append(f"{view.page_size} rows per page")
    return parts or ["the standard view"]


def default_view_redirect(request: HttpRequest, inventory: Inventory) -> HttpResponse | None:
    """The redirect to the user's default view when the list is opened without parameters
    from another page. Coming from the list itself (the last filter chip removed, a filter
    form cleared and applied), the list shows what was asked: no filters."""
    if request.GET or _from_the_list(request):
        return None
    view = views_of(request.user, inventory).filter(is_default=True).first()
    if view is None:
        return None
    query = view.query_string()
    if not query:
        return None
    problems = problems_of(view, inventory)
    if problems:
        messages.warning(
            request,
            f"Your default view {view.name!r} no longer applies as saved: "
            + "; ".join(problems)
            + ". Change its filters and save it again.",
        )
    return HttpResponseRedirect(f"{request.path}?{query}")


def _from_the_list(request: HttpRequest) -> bool:
    referer = urlsplit(request.headers.get("Referer", ""))
    return referer.netloc == request.get_host() and referer.path == request.path


def menu_context(request: HttpRequest, inventory: Inventory) -> dict[str, Any]:
    """The list page's "Views" menu: the user's views, the current one, the save form."""
    current = view_params(inventory, request.GET.copy())
    key = view_key(current)
    views = list(views_of(request.user, inventory))
    for view in views:
        view.is_current = view_key(view_params(inventory, view.params())) == key
    has_default = any(view.is_default for view in views)
    return {
        "saved_views": views,
        "current_query": current.urlencode(safe=","),
        "current_saved": next((view for view in views if view.is_current), None),
        "standard_url": f"{inventory.url('list')}?{STANDARD_VIEW}"
        if has_default
        else inventory.url("list"),
        "views_url": inventory.url("views"),
    }


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for field, items in error.message_dict.items():
        label = "" if field == "__all__" else f"{SavedView._meta.get_field(field).verbose_name}: "
        for message in items:
            messages.error(request, f"View {label}{message}")


class SavedViewsPage(InventoryView):
    """The user's saved views of one list: save, rename, make default, delete."""

    def get(self, request: HttpRequest) -> HttpResponse:
        views = list(views_of(request.user, self.inventory))
        for view in views:
            view.problems = problems_of(view, self.inventory)
            view.description = describe(view, self.inventory)
        return render(
            request,
            "inventory/saved_views.html",
            self.base_context(saved_views=views, views_url=self.inventory.url("views")),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        handler = getattr(self, f"_{action}", None) if action in ACTIONS else None
        if handler is None:
            messages.error(request, f"Unknown saved-view action {action!r}.")
            return HttpResponseRedirect(self.inventory.url("views"))
        return handler(request)

    def _own(self, request: HttpRequest) -> SavedView:
        """One of the user's own views of this list (404 for anyone else's)."""
        pk = request.POST.get("id", "")
        if not pk.isdigit():
            raise Http404("no such saved view")
        return get_object_or_404(views_of(request.user, self.inventory), pk=int(pk))

    def _write(self, request: HttpRequest, view: SavedView, done: str) -> bool:
        try:
            with transaction.atomic():
                if view.is_default:
                    views_of(request.user, self.inventory).exclude(pk=view.pk).filter(
                        is_default=True
                    ).update(is_default=False)
                view.full_clean()
                view.save()
        except ValidationError as error:
            _refusal(request, error)
            return False
        except IntegrityError:
            # Another request of the same user saved a view with this name or another
            # default at the same moment; the constraints kept one.
            messages.error(request, "The view was changed meanwhile; nothing was saved.")
            return False
        messages.success(request, done)
        return True

    def _save(self, request: HttpRequest) -> HttpResponse:
        query_string = request.POST.get("query", "")
        view = SavedView(user=request.user, list_key=self.inventory.key)
        view.name = request.POST.get("name", "")
        view.is_default = request.POST.get("default") == "1"
        fill_from_query(view, self.inventory, query_string)
        query = parse_list_query(self.inventory, QueryDict(query_string))
        problems = [*query.errors, *query.warnings]
        if problems:
            messages.error(
                request, "The view was not saved: its filters are not valid. " + problems[0]
            )
        else:
            self._write(request, view, f"Saved the view {view.name!r}.")
        list_url = self.inventory.url("list")
        return HttpResponseRedirect(f"{list_url}?{query_string}" if query_string else list_url)

    def _rename(self, request: HttpRequest) -> HttpResponse:
        view = self._own(request)
        old = view.name
        view.name = request.POST.get("name", "")
        self._write(request, view, f"Renamed the view {old!r} to {view.name!r}.")
        return HttpResponseRedirect(self.inventory.url("views"))

    def _default(self, request: HttpRequest) -> HttpResponse:
        view = self._own(request)
        view.is_default = request.POST.get("default") == "1"
        done = (
            f"{view.name!r} now opens when you open {self.inventory.title}."
            if view.is_default
            else f"{view.name!r} is no longer your default view."
        )
        self._write(request, view, done)
        return HttpResponseRedirect(self.inventory.url("views"))

    def _delete(self, request: HttpRequest) -> HttpResponse:
        view = self._own(request)
        view.delete()
        messages.success(request, f"Deleted the view {view.name!r}.")
        return HttpResponseRedirect(self.inventory.url("views"))
