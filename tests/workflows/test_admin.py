"""The admin action that prunes stale registered rows after a confirmation page."""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from inventory.models import RegisteredModel

CHANGELIST = "/admin/inventory/registeredmodel/"


def test_prune_action_confirms_then_deletes_the_listed_stale_rows(admin_user, make_model, sdk):
    broken = make_model("broken", status="error")
    fine = make_model("fine")
    embedder = make_model("embedder", capabilities="embedding", extra_config={"dim": 8})
    sdk.knowledge.update_config({"embedding_model_id": embedder["id"]})
    RegisteredModel.objects.filter(pk=embedder["id"]).update(status="disabled")
    client = Client()
    client.force_login(admin_user)
    selected = [broken["id"], fine["id"], embedder["id"]]
    page = client.post(
        CHANGELIST, {"action": "prune_stale_rows", ACTION_CHECKBOX_NAME: selected}, follow=True
    )
    html = page.content.decode()
    assert "will be deleted" in html and "broken" in html
    assert "Storage on disk is not touched" in html
    assert "Not pruned: embedder is the knowledge embedding model" in html
    assert RegisteredModel.objects.count() == 3  # the confirmation page deletes nothing

    done = client.post(
        CHANGELIST,
        {
            "action": "prune_stale_rows",
            ACTION_CHECKBOX_NAME: [broken["id"]],
            "stale_ids": [broken["id"]],
            "confirm_prune": "yes",
        },
        follow=True,
    )
    assert "Deleted 1 stale registered model row(s): broken" in done.content.decode()
    assert set(RegisteredModel.objects.values_list("name", flat=True)) == {"fine", "embedder"}


def test_prune_action_needs_the_delete_permission(make_user, make_model):
    broken = make_model("broken", status="error")
    client = Client()
    editor = make_user(
        "editor", "inventory.view_registeredmodel", "inventory.change_registeredmodel"
    )
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "prune_stale_rows" not in page.content.decode()
    client.post(
        CHANGELIST,
        {
            "action": "prune_stale_rows",
            ACTION_CHECKBOX_NAME: [broken["id"]],
            "stale_ids": [broken["id"]],
            "confirm_prune": "yes",
        },
    )
    assert RegisteredModel.objects.filter(pk=broken["id"]).exists()
