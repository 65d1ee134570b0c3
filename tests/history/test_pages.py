"""History in the pages: the History tab, the Changes list, CSV export and restores."""

from __future__ import annotations

import csv
import io

import pytest

from inventory.models import ChangeRecord, Engine

pytestmark = pytest.mark.django_db


def test_page_edit_is_recorded_with_the_user_and_shown_in_the_history_tab(admin_client, engine):
    response = admin_client.post(
        f"/engines/{engine['id']}/edit/",
        {"name": "renamed", "provider": "ollama", "status": "active", "config": "{}"},
    )
    assert response.status_code == 302, response.content
    record = ChangeRecord.objects.filter(entity="engine_registry").latest("id")
    assert (record.actor, record.source, record.action) == ("admin", "web", "update")
    assert record.field_changes == {"name": {"before": "ollama-test", "after": "renamed"}}
    detail = admin_client.get(f"/engines/{engine['id']}/")
    assert f'href="/engines/{engine["id"]}/history/"' in detail.content.decode()
    page = admin_client.get(f"/engines/{engine['id']}/history/").content.decode()
    assert "ollama-test" in page and "renamed" in page and 'data-testid="restore"' in page


def test_page_delete_is_recorded_and_undeleted_from_the_changes_list(admin_client, engine):
    assert admin_client.post(f"/engines/{engine['id']}/delete/").status_code == 302
    deleted = ChangeRecord.objects.get(entity="engine_registry", action="delete")
    assert deleted.actor == "admin"
    listing = admin_client.get("/changes/?entity=engine_registry&action=delete").content.decode()
    assert "Undelete" in listing
    response = admin_client.post(f"/changes/{deleted.pk}/restore/", {"next": "/changes/"})
    assert response.status_code == 302
    restored = Engine.objects.get(pk=engine["id"])
    assert restored.name == "ollama-test"
    record = ChangeRecord.objects.latest("id")
    assert (record.action, record.restored_from, record.actor) == ("create", deleted.pk, "admin")


def test_changes_filters_and_csv_export(admin_client, sdk, engine):
    sdk.models.engine_registry.update(engine["id"], {"provider": "vllm"})
    listing = admin_client.get("/changes/?actor=shell&action=update")
    assert listing.status_code == 200
    assert listing.content.decode().count('data-testid="change"') == 1
    bad = admin_client.get("/changes/?since=yesterday").content.decode()
    assert "since must be a date" in bad
    export = admin_client.get("/changes/export.csv?entity=engine_registry")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["update", "create"]
    assert '"after": "vllm"' in rows[0]["changes"]


def test_reader_sees_history_but_cannot_restore(login, reader, engine, sdk):
    sdk.models.engine_registry.update(engine["id"], {"provider": "vllm"})
    client = login(reader)
    page = client.get(f"/engines/{engine['id']}/history/").content.decode()
    assert "vllm" in page and 'data-testid="restore"' not in page
    record = ChangeRecord.objects.latest("id")
    assert client.post(f"/changes/{record.pk}/restore/").status_code == 403


def test_changes_filtered_by_operation_written_either_way(admin_client, sdk, engine):
    sdk.models.engine_registry.update(engine["id"], {"provider": "vllm"})
    record = ChangeRecord.objects.latest("id")
    for written in (str(record.operation), record.operation.hex, record.operation.hex[:10]):
        page = admin_client.get(f"/changes/?operation={written}").content.decode()
        assert page.count('data-testid="change"') == 1, written


def test_history_pages_are_paged_and_their_queries_do_not_grow(admin_client, sdk, engine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    sdk.models.engine_registry.update(engine["id"], {"config": {"round": 0}})
    few = (count("/changes/"), count(f"/engines/{engine['id']}/history/"))
    for index in range(1, 60):
        sdk.models.engine_registry.update(engine["id"], {"config": {"round": index}})
    assert (count("/changes/"), count(f"/engines/{engine['id']}/history/")) == few
    page = admin_client.get(f"/engines/{engine['id']}/history/?page=2").content.decode()
    assert "Page 2 of 2" in page and page.count('data-testid="change"') == 11


def test_knowledge_restore_from_the_page_needs_the_confirmation(admin_client, sdk, make_model):
    first = make_model("e1", capabilities=["embedding"], extra_config={"dim": 8})
    second = make_model("e2", capabilities=["embedding"], extra_config={"dim": 8})
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": first["id"]})
    version = ChangeRecord.objects.filter(entity="knowledge").latest("id")
    sdk.knowledge.update_config({"embedding_model_id": second["id"]}, True)
    url = f"/changes/{version.pk}/restore/"
    refused = admin_client.post(url, {"next": "/knowledge/"}, follow=True).content.decode()
    assert "Not restored" in refused and "confirm_embedding_model_change" in refused
    assert sdk.knowledge.get_config()["embedding_model_id"] == second["id"]
    admin_client.post(url, {"next": "/knowledge/", "confirm_embedding_model_change": "on"})
    assert sdk.knowledge.get_config()["embedding_model_id"] == first["id"]
