"""The rows of the declared admin changelists, rendered once per column rather than per cell.

Django's ``items_for_result`` works out, for every cell, what is the same in every row of a
column (the column's callable and class, its empty value, whether it links, the change URL
with the preserved filters); on a 100-row page that costs several times the page's SQL.
``result_list`` here gives the same rows (the same HTML) with that worked out once per
column, each distinct value of a column displayed once, and the change links cut around
the row id. Changelists it does not cover (editable lists, popups, ``to_field``, columns
named after model attributes) are left to Django's own ``result_list``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

#: A row id no row has, put in the change URL once per page to cut it around the id.
_PK_MARK = 918273645546372819


@dataclass
class _Column:
    attr: Callable[[Any], Any]
    classes: str
    missing: str  # shown when the value's related row does not exist
    empty: str
    boolean: bool
    tag: str | None  # "th"/"td" for a column linking to the change page, else None
    shown: dict[Any, str]
    #: The value a column callable's cell depends on alone (its ``cell_key``), if declared:
    #: each distinct one is then shown once per page, the callable called once for it.
    key: Callable[[Any], Any] | None
    by_key: dict[Any, tuple[str, str]]


def _columns(cl: Any) -> list[_Column] | None:
    """What every cell of each column shares, or ``None`` for a changelist left to Django."""
    if cl.formset or cl.is_popup or cl.to_field or not isinstance(cl.list_display, list | tuple):
        return None
    model_admin = cl.model_admin
    default_empty = model_admin.get_empty_value_display()
    links = cl.list_display_links
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if callable(name):
            attr = name
        elif isinstance(name, str) and name != "__str__" and hasattr(model_admin, name):
            attr = getattr(model_admin, name)
        else:
            return None
        if name == "action_checkbox":
            classes = "action-checkbox"
        else:
            classes = f"field-{admin_list._coerce_field_name(name, index)}"
        linked = links is not None and ((first and not links) or name in links)
        tag = None
        if linked:
            tag = "th" if first else "td"
            first = False
        columns.append(
            _Column(
                attr=attr,
                classes=classes,
                missing=conditional_escape(default_empty),
                empty=getattr(attr, "empty_value_display", default_empty),
                boolean=getattr(attr, "boolean", False),
                tag=tag,
                shown={},
                key=getattr(attr, "cell_key", None),
                by_key={},
            )
        )
    return columns


def _change_url(cl: Any) -> Callable[[Any], str]:
    """The escaped change URL of a row, with the preserved filters (``url_for_result``
    and ``add_preserved_filters``), reversed once per page."""
    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}

    class Marked:
        pass

    marked = Marked()
    setattr(marked, cl.pk_attname, _PK_MARK)
    url = add_preserved_filters(context, cl.url_for_result(marked))
    if url.count(str(_PK_MARK)) != 1:
        return lambda result: conditional_escape(
            add_preserved_filters(context, cl.url_for_result(result))
        )
    before, after = (conditional_escape(part) for part in url.split(str(_PK_MARK)))

    def change_url(result: Any) -> str:
        pk = getattr(result, cl.pk_attname)
        if type(pk) is not int:
            return conditional_escape(add_preserved_filters(context, cl.url_for_result(result)))
        return f"{before}{pk}{after}"

    return change_url


def _display(column: _Column, value: Any) -> str:
    """``display_for_value`` of one cell, escaped, once per distinct value of the column."""
    key = (type(value), value)
    try:
        return column.shown[key]
    except KeyError:
        shown = conditional_escape(display_for_value(value, column.empty, column.boolean))
        column.shown[key] = shown
        return shown
    except TypeError:  # an unhashable value
        return conditional_escape(display_for_value(value, column.empty, column.boolean))


def _cell(column: _Column, result: Any) -> tuple[str, str]:
    """The classes and the escaped content of one cell."""
    classes = column.classes
    try:
        value = column.attr(result)
    except ObjectDoesNotExist:
        return classes, column.missing
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if isinstance(value, datetime.date | datetime.time):
        classes += " nowrap"
    return classes, _display(column, value)


def _keyed_cell(column: _Column, result: Any) -> tuple[str, str]:
    """``_cell``, once per distinct ``cell_key`` of the page."""
    if column.key is None:
        return _cell(column, result)
    key = column.key(result)
    try:
        return column.by_key[key]
    except KeyError:
        cell = column.by_key[key] = _cell(column, result)
        return cell
    except TypeError:  # an unhashable value
        return _cell(column, result)


def _cells(columns: list[_Column], result: Any, change_url: Callable[[Any], str]) -> list[str]:
    cells = []
    for column in columns:
        classes, shown = _keyed_cell(column, result)
        if column.tag is None:
            cells.append(SafeString(f'<td class="{classes}">{shown}</td>'))
        else:
            link = f'<a href="{change_url(result)}">{shown}</a>'
            cells.append(SafeString(f'<{column.tag} class="{classes}">{link}</{column.tag}>'))
    return cells


def _results(cl: Any, columns: list[_Column]) -> Iterator[admin_list.ResultList]:
    change_url = _change_url(cl)
    for result in cl.result_list:
        yield admin_list.ResultList(None, _cells(columns, result, change_url))


def result_list(cl: Any) -> dict[str, Any]:
    """The context of ``change_list_results.html``, as Django's ``result_list`` gives it."""
    columns = _columns(cl)
    if columns is None:
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    results = list(_results(cl, columns))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": results,
        # The rows as ``change_list_results.html`` writes them, joined here once.
        "rows_html": SafeString("".join(f"\n<tr>{''.join(row)}</tr>\n" for row in results)),
    }
