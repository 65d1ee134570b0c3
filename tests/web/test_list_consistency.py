"""List pages read the same everywhere: no export of nothing, one wording per status, memory
of CPU models, full text of cut-off cells."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_empty_results_offer_no_export(admin_client, inventory):
    full = admin_client.get("/models/").content.decode()
    assert 'data-testid="export-csv"' in full and 'data-testid="export-json"' in full
    empty = admin_client.get("/models/?name=no-such-model").content.decode()
    assert "No registered models match these filters." in empty
    assert 'data-testid="export-csv"' not in empty and 'data-testid="export-json"' not in empty


def test_an_empty_change_list_offers_no_export(admin_client, inventory):
    assert 'data-testid="export-csv"' in admin_client.get("/changes/").content.decode()
    empty = admin_client.get("/changes/?actor=nobody-at-all").content.decode()
    assert 'data-testid="export-csv"' not in empty


def test_cpu_models_show_cpu_not_zero_megabytes(admin_client, make_model, inventory):
    cpu = make_model("cpu-only", vram_required_mb=0, ram_required_mb=0)
    html = admin_client.get("/models/?name=cpu-only").content.decode()
    vram = re.search(r'<td [^>]*data-field="vram_required_mb"[^>]*>(.*?)</td>', html)
    ram = re.search(r'<td [^>]*data-field="ram_required_mb"[^>]*>(.*?)</td>', html)
    assert vram and ">CPU<" in vram.group(1) and 'title="Runs on the CPU' in vram.group(1)
    assert ram and ram.group(1) == "—"
    assert "0 MB" not in html
    assert "0 MB" not in admin_client.get(f"/models/{cpu['id']}/").content.decode()


def test_cut_off_catalog_links_carry_the_full_name(admin_client, inventory):
    html = admin_client.get("/models/").content.decode()
    name = inventory["catalog_model"]["name"]
    cell = re.search(r'<td [^>]*data-field="available_model_id"[^>]*><a title="([^"]+)"', html)
    assert cell and cell.group(1) == name


def test_admin_status_uses_the_same_wording(admin_client, inventory):
    html = admin_client.get("/admin/inventory/registeredmodel/").content.decode()
    cells = re.findall(r'<td class="field-status">([^<]*)</td>', html)
    assert cells and set(cells) <= {"Available", "Active", "Error", "Disabled"}
    assert "Active" in cells


def test_admin_memory_reads_as_in_the_pages(admin_client, make_model, inventory):
    make_model("cpu-only", vram_required_mb=0, ram_required_mb=0)
    html = admin_client.get("/admin/inventory/registeredmodel/?q=cpu-only").content.decode()
    vram = re.search(r'<td class="field-vram_required_mb">(.*?)</td>', html)
    assert vram and ">CPU<" in vram.group(1)
    assert "0 MB" not in html


def test_cut_off_engine_names_on_the_dashboard_carry_the_full_name(admin_client, inventory):
    html = admin_client.get("/").content.decode()
    name = inventory["engine"]["name"]
    assert re.search(rf'data-engine="{name}"><a href="[^"]+" title="{name}">', html)


def test_the_engine_status_column_reads_like_the_status_column(admin_client, inventory):
    html = admin_client.get("/models/?columns=name,engine_status").content.decode()
    cell = re.search(r'<td [^>]*data-field="engine_status"[^>]*>(.*?)</td>', html)
    assert cell and 'data-status="active"' in cell.group(1) and ">Active<" in cell.group(1)
