"""Changelists on big tables: no unfiltered count, rows without per-row widget rendering."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def count_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]


@pytest.mark.parametrize("name", ["engine", "availablemodel", "registeredmodel"])
def test_filtered_changelist_counts_only_the_filtered_rows(admin_client, make_model, name):
    make_model("llama3", status="active")
    make_model("qwen", status="error")
    url = reverse(f"admin:inventory_{name}_changelist")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(url, {"q": "llama"})
    assert response.status_code == 200
    counts = count_queries(captured)
    assert counts and all("WHERE" in sql for sql in counts), counts
    assert response.context["cl"].full_result_count is None


def test_row_checkbox_is_the_one_django_renders(admin_client, make_model):
    model = make_model("llama3 <b>")
    response = admin_client.get(reverse("admin:inventory_registeredmodel_changelist"))
    admin_view = response.context["cl"].model_admin
    obj = response.context["cl"].result_list[0]
    django_widget = forms.CheckboxInput(
        {
            "class": "action-select",
            "aria-label": f"Select this object for an action - {obj}",
        },
        lambda value: False,
    ).render(helpers.ACTION_CHECKBOX_NAME, str(model["id"]))
    assert admin_view.action_checkbox(obj) == django_widget
    assert django_widget in response.content.decode()
