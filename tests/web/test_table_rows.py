"""The list tables render their rows in one pass, cell for cell as django-tables2 would."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from inventory.web.entities import INVENTORIES
from inventory.web.row_actions import RowMenu, actions_of
from inventory.web.tables import LIST_TABLES, TABLES

pytestmark = pytest.mark.django_db


def shown_columns(table_class) -> list[str]:
    """The declared columns of a table class (not the row checkboxes nor the menus)."""
    return [name for name, column in table_class.base_columns.items() if hasattr(column, "item")]


def generic_rows(table) -> str:
    """The rows through django-tables2's own per-cell rendering (``BoundRow.items``)."""
    return "".join(
        format_html(
            "<tr {}>{}</tr>",
            row.attrs.as_html(),
            mark_safe(
                "".join(
                    format_html("<td {}>{}</td>", column.attrs["td"].as_html(), cell)
                    for column, cell in row.items()
                )
            ),
        )
        for row in table.paginated_rows
    )


@pytest.mark.parametrize("tables_of", [TABLES, LIST_TABLES], ids=["tables", "list_tables"])
@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda item: item.key)
def test_rows_match_django_tables2_cell_for_cell(
    inventory, tables_of, make_model, catalog_model, other_engine
):
    make_model(
        "llama3 <b>",
        capabilities="chat,tool_calling",
        available_model_id=catalog_model["id"],
        vram_required_mb=4096,
        extra_config={"num_ctx": 4096},
        status="active",
    )
    make_model("bare", version="", model_path="")
    tables = []
    for _ in range(2):  # row parity (odd/even) is counted per table: one table each
        table_class = tables_of[inventory.key]
        table = table_class(inventory.table_queryset(shown_columns(table_class)), order_by="-name")
        table.row_menu = RowMenu(actions_of(inventory))  # every action, on the list tables
        table.paginate(page=1, per_page=50)
        tables.append(table)
    body = tables[0].body_html()
    assert body == generic_rows(tables[1])
    assert body.count("<tr ") == len(tables[0].paginated_rows) > 0
    assert ('class="odd"' in body) == (body.count("<tr ") > 1)


def test_empty_page_shows_the_empty_text(admin_client):
    response = admin_client.get("/models/", {"name": "nothing-like-this"})
    assert response.status_code == 200
    assert "<td colspan=" in response.content.decode()


def test_table_renders_from_a_request_factory_request(make_model, admin_user):
    make_model("llama3")
    inventory = next(item for item in INVENTORIES if item.slug == "models")
    request = RequestFactory().get("/models/")
    request.user = admin_user
    table_class = TABLES[inventory.key]
    html = table_class(inventory.table_queryset(shown_columns(table_class))).as_html(request)
    assert 'data-field="name"' in html and "llama3" in html


def test_header_links_sort_the_same_query(admin_client, make_model):
    """Each sortable header links to the list as shown, sorted by its column (the next
    direction for the sorted one, which says how it is sorted)."""
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    make_model("llama3")
    page = admin_client.get("/models/", {"status": ["active", "error"], "sort": "-name"})
    headers = re.findall(r'<th ([^>]*data-field="(\w+)"[^>]*)>', page.content.decode())
    links = {
        field: parse_qs(urlsplit(html.unescape(href)).query)
        for href, field in re.findall(
            r'<a href="([^"]*)" class="sort-link" data-sort="(\w+)">', page.content.decode()
        )
    }
    assert links["name"] == {"status": ["active", "error"], "sort": ["name"]}
    assert links["status"] == {"status": ["active", "error"], "sort": ["status"]}
    sorted_as = {field: "aria-sort" in attrs for attrs, field in headers}
    assert sorted_as.pop("name") and not any(sorted_as.values())
    assert 'aria-sort="descending"' in next(attrs for attrs, field in headers if field == "name")


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda item: item.key)
def test_list_pages_build_no_model_instance_per_row(
    admin_client, inventory, make_model, catalog_model
):
    """A page reads its rows as light records (``page_records``): no instance of the
    listed model is built, however many rows it shows."""
    from django.db.models.signals import post_init

    make_model("llama3", capabilities="chat")
    make_model("qwen", capabilities="embedding")
    built: list[object] = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=inventory.model)
    try:
        response = admin_client.get(inventory.url("list"), {"page_size": 200})
    finally:
        post_init.disconnect(count, sender=inventory.model)
    assert response.status_code == 200
    assert built == []


def test_page_records_answer_like_the_model_rows(make_model, catalog_model):
    from inventory.web.page_records import page_records

    make_model("llama3", available_model_id=catalog_model["id"])
    inventory = next(item for item in INVENTORIES if item.slug == "models")
    queryset = inventory.table_queryset(["engine_status", "capabilities"]).order_by("id")
    instance, record = queryset[0], page_records(queryset[:1])[0]
    assert (record.pk, str(record), record.engine_id) == (
        instance.pk,
        str(instance),
        instance.engine_id,
    )
    assert record.cell_engine_name == instance.cell_engine_name
    assert record.cell_engine_status == instance.cell_engine_status
    assert record.available_model_id == catalog_model["id"]
    assert record.capabilities == instance.capabilities
    assert not hasattr(record, "extra_config")  # not shown, not read
    assert page_records([instance]) == [instance]
    assert page_records(queryset.values("id")[:1]) == [{"id": instance.pk}]


@pytest.mark.parametrize(
    "moment",
    [
        (2026, 11, 28, 16, 1),
        (999, 1, 2, 3, 4),
        (2024, 2, 29, 23, 59),
        (1, 1, 1, 0, 0),
    ],
)
def test_table_times_read_as_django_formats_them(moment):
    import datetime

    from django.utils.dateformat import format as date_format

    from inventory.web.tables import minute

    local = datetime.datetime(*moment)
    assert minute(local) == date_format(local, "Y-m-d H:i")


def test_tables_copy_their_columns_sharing_only_what_no_table_changes():
    import copy

    table_class = LIST_TABLES["model_registry"]
    for name, column in table_class.base_columns.items():
        clone = copy.deepcopy(column)
        assert clone is not column and clone.accessor is column.accessor, name
        assert clone.attrs == column.attrs and clone.attrs is not column.attrs, name
        if hasattr(column, "item"):
            assert (clone.item, clone.inventory) == (column.item, column.inventory)
            assert clone.item is column.item and clone.relation is column.relation
    first, second = (table_class([]) for _ in range(2))
    first.columns["name"].column.attrs["td"]["class"] = "changed"
    assert second.columns["name"].column.attrs["td"]["class"] != "changed"
