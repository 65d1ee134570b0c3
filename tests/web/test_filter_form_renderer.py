"""The list pages' filter forms are drawn by Django's Jinja2 widget templates: the same
HTML, but for whitespace between tags, as its template-language ones."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from inventory.filtersets import FILTER_FORM_RENDERER
from inventory.web.entities import INVENTORIES
from inventory.web.querying import parse_list_query

pytestmark = pytest.mark.django_db


def tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda item: item.key)
def test_filter_widgets_match_the_template_language_ones(inventory, make_model):
    make_model("llama3", capabilities="chat")
    data = QueryDict("name=lla&status=active&capabilities=chat&capabilities=x&page_size=200")
    form = parse_list_query(inventory, data).filterset.form
    assert form.renderer is FILTER_FORM_RENDERER
    drawn = {name: str(form[name]) for name in form.fields}
    form.renderer = DjangoTemplates()
    assert {name: tags(html) for name, html in drawn.items()} == {
        name: tags(str(form[name])) for name in form.fields
    }
