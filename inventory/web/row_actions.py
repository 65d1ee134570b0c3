"""The per-row action menu of the list pages (edit, history, workflows, delete).

Which actions a user gets is decided once per page from their permissions; each row then
only fills in its id, so a 200-row page costs no query and no permission check per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..workflows import permissions as needs
from .column_copies import SharedOnCopy
from .entities import Inventory
from .presentation import escape_text

ACTIONS_COLUMN = "actions"


@dataclass(frozen=True)
class RowAction:
    label: str
    icon: str
    url_name: str
    #: Django permissions the action needs (all of them).
    perms: tuple[str, ...]
    #: Whether a row offers the action at all (a reconcile needs a catalog link).
    applies: Callable[[Any], bool] = lambda record: True
    danger: bool = False


def actions_of(inventory: Inventory) -> list[RowAction]:
    """Every action a row of this inventory may offer, in menu order."""
    actions = [
        RowAction("Edit", "pencil", inventory.url_name("edit"), (inventory.perm("change"),)),
        RowAction("History", "clock-history", inventory.url_name("history"), ()),
    ]
    if inventory.key == "available_model_registry":
        actions.append(
            RowAction("Register on engine", "plug", "inventory:workflow-bind", needs.BIND)
        )
    if inventory.key == "model_registry":
        actions.append(
            RowAction(
                "Reconcile with catalog",
                "arrow-left-right",
                "inventory:workflow-reconcile",
                needs.RECONCILE_VIEW,
                applies=lambda record: record.available_model_id is not None,
            )
        )
    actions.append(
        RowAction(
            "Delete",
            "trash",
            inventory.url_name("delete"),
            (inventory.perm("delete"),),
            danger=True,
        )
    )
    return actions


def allowed_actions(inventory: Inventory, user: Any) -> list[RowAction]:
    return [action for action in actions_of(inventory) if user.has_perms(action.perms)]


#: A stand-in id, put in each action URL once per page and replaced by each row's id.
PK_MARK = "2147483647"


class RowMenu:
    """The menu HTML of one page: the URLs are reversed once, each row fills in its id."""

    BEFORE_NAME = (
        '<div class="dropdown row-actions">'
        '<button type="button" class="btn btn-sm btn-outline-secondary py-0 px-1"'
        ' data-bs-toggle="dropdown" aria-expanded="false"'
        ' data-bs-popper-config=\'{"strategy":"fixed"}\'>'
        '<i class="bi bi-three-dots" aria-hidden="true"></i>'
        '<span class="visually-hidden">Actions for '
    )
    BEFORE_LINKS = '</span></button><ul class="dropdown-menu dropdown-menu-end">'
    AFTER_LINKS = "</ul></div>"

    def __init__(self, actions: list[RowAction]) -> None:
        self.items = [
            (
                action.applies,
                format_html(
                    '<li><a class="dropdown-item{}" href="{}">'
                    '<i class="bi bi-{}" aria-hidden="true"></i> {}</a></li>',
                    " text-danger" if action.danger else "",
                    reverse(action.url_name, args=[PK_MARK]),
                    action.icon,
                    action.label,
                ),
            )
            for action in actions
        ]
        #: The menu's links by which actions apply (each row then fills in its id).
        self._links: dict[tuple[bool, ...], str] = {}

    def __bool__(self) -> bool:
        return bool(self.items)

    def html(self, record: Any) -> SafeString:
        return mark_safe(self.text(record))

    def text(self, record: Any) -> str:
        """The menu's HTML for ``record`` (as ``html``, not yet marked safe: a page joins
        its rows' menus before marking the whole safe)."""
        applying = tuple(applies(record) for applies, _ in self.items)
        try:
            links = self._links[applying]
        except KeyError:
            links = self._links[applying] = "".join(
                item for (_, item), applies in zip(self.items, applying, strict=True) if applies
            )
        return (
            f"{self.BEFORE_NAME}{escape_text(record)}{self.BEFORE_LINKS}"
            f"{links.replace(PK_MARK, str(record.pk))}{self.AFTER_LINKS}"
        )


class RowActionsColumn(SharedOnCopy, tables.Column):
    """A compact menu button per row, from the table's ``row_menu`` (set per page)."""

    empty_values = ()

    def __init__(self) -> None:
        super().__init__(
            accessor="pk",
            # Named for screen readers; the "…" buttons speak for themselves on screen, and
            # a narrow column leaves the width to the data.
            verbose_name=mark_safe('<span class="visually-hidden">Actions</span>'),
            orderable=False,
            attrs={"th": {"class": "actions-column"}, "td": {"class": "actions-column"}},
        )

    def render(self, value: Any, record: Any, bound_column: Any = None) -> SafeString:
        # django-tables2 keeps the table of a bound column as ``_table`` (it passes it as
        # ``table`` to render methods that take it; the one-pass page renderer does not).
        return bound_column._table.row_menu.html(record)

    def cells(self, records: list[Any], bound_column: Any) -> list[str]:
        """``render`` of each record's menu."""
        return list(map(bound_column._table.row_menu.text, records))
