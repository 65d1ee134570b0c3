"""Admin actions write through the core's update; protected deletes show the core's refusal."""

from __future__ import annotations

import html

import pytest
from django.contrib import messages as django_messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from inventory.admin_writes import ValidatedAdmin
from inventory.models import Engine, KnowledgeSettings, RegisteredModel

pytestmark = pytest.mark.django_db

MODELS = reverse("admin:inventory_registeredmodel_changelist")
ENGINES = reverse("admin:inventory_engine_changelist")


def run_action(client, url: str, action: str, *pks: int, **extra: str):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra}
    return client.post(url, data, follow=True)


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in response.context["messages"]]


def text(response) -> str:
    return html.unescape(response.content.decode())


def statuses() -> dict[str, str]:
    return dict(RegisteredModel.objects.values_list("name", "status"))


def test_activate_and_deactivate_models(admin_client, make_model):
    a = make_model("a")
    b = make_model("b", status="active")
    c = make_model("c", status="disabled")
    response = run_action(admin_client, MODELS, "activate", a["id"], b["id"])
    assert statuses() == {"a": "active", "b": "active", "c": "disabled"}
    assert (django_messages.SUCCESS, "Activated 1 registered model.") in messages_of(response)
    assert (django_messages.INFO, "1 left unchanged.") in messages_of(response)

    response = run_action(admin_client, MODELS, "deactivate", a["id"], b["id"], c["id"])
    # Only active models are deactivated; a disabled model stays disabled.
    assert statuses() == {"a": "available", "b": "available", "c": "disabled"}
    assert (django_messages.SUCCESS, "Deactivated 2 registered models.") in messages_of(response)


def test_mark_downloaded_and_not_downloaded(admin_client, make_model):
    a = make_model("a")
    b = make_model("b")
    run_action(admin_client, MODELS, "mark_downloaded", a["id"], b["id"])
    assert set(RegisteredModel.objects.values_list("is_downloaded", flat=True)) == {True}
    run_action(admin_client, MODELS, "mark_not_downloaded", b["id"])
    assert dict(RegisteredModel.objects.values_list("name", "is_downloaded")) == {
        "a": True,
        "b": False,
    }


def test_action_reports_rows_the_validation_refuses(admin_client, make_model):
    good = make_model("good")
    bad = make_model("bad", capabilities="chat")
    # A row stored around the validation (raw SQL, an old import) is refused, not rewritten.
    RegisteredModel.objects.filter(pk=bad["id"]).update(extra_config={"dim": "x"})
    response = run_action(admin_client, MODELS, "activate", good["id"], bad["id"])
    # One transaction: the refused row refuses the whole action.
    assert statuses() == {"good": "available", "bad": "available"}
    assert (
        django_messages.ERROR,
        "Refused bad: extra_config: extra_config.dim must be a positive integer, got 'x'",
    ) in messages_of(response)
    assert (django_messages.ERROR, "Nothing was changed: 1 of 2 refused.") in messages_of(response)


def test_engine_actions(admin_client, engine, other_engine):
    run_action(admin_client, ENGINES, "activate", other_engine["id"])
    assert Engine.objects.get(pk=other_engine["id"]).status == "active"
    uninstalled = Engine.objects.create(name="cold", provider="vllm")
    run_action(admin_client, ENGINES, "deactivate", engine["id"], uninstalled.pk)
    assert dict(Engine.objects.values_list("name", "status")) == {
        "ollama-test": "installed",
        "vllm-test": "active",
        "cold": "uninstalled",
    }


def test_actions_need_the_change_permission(login, viewer, make_model):
    model = make_model("a")
    client = login(viewer)
    page = client.get(MODELS)
    assert page.status_code == 200
    assert page.context["action_form"] is None  # no action offered to a viewer
    for action in ("activate", "mark_downloaded", "delete_selected"):
        response = run_action(client, MODELS, action, model["id"], index="0", post="yes")
        assert response.status_code == 200
        assert not [text for level, text in messages_of(response) if level >= 25]
    stored = RegisteredModel.objects.get(pk=model["id"])
    assert (stored.status, stored.is_downloaded) == ("available", False)


def test_change_permission_allows_updates_but_not_deletes(login, editor, make_model):
    model = make_model("a")
    client = login(editor)
    run_action(client, MODELS, "activate", model["id"])
    assert RegisteredModel.objects.get(pk=model["id"]).status == "active"
    run_action(client, MODELS, "delete_selected", model["id"], post="yes")
    assert RegisteredModel.objects.filter(pk=model["id"]).exists()


# --- deletes -------------------------------------------------------------------------------

REFUSAL = (
    "engine 'ollama-test' still has 2 registered models; "
    "delete them or move them to another engine first"
)


def engine_delete(pk: int) -> str:
    return reverse("admin:inventory_engine_delete", args=[pk])


def test_deleting_an_engine_with_models_shows_the_refusal(admin_client, make_model, engine):
    make_model("a")
    make_model("b")
    page = admin_client.get(engine_delete(engine["id"]))
    assert page.status_code == 200
    assert REFUSAL in text(page)
    assert 'name="post"' not in text(page)
    response = admin_client.post(engine_delete(engine["id"]), {"post": "yes"})
    assert response.status_code == 200
    assert REFUSAL in text(response)
    assert Engine.objects.filter(pk=engine["id"]).exists()
    assert RegisteredModel.objects.count() == 2


def test_bulk_delete_with_a_protected_engine_deletes_nothing(
    admin_client, make_model, engine, other_engine
):
    make_model("a")
    make_model("b")
    for data in ({}, {"post": "yes"}):
        response = run_action(
            admin_client, ENGINES, "delete_selected", engine["id"], other_engine["id"], **data
        )
        content = text(response)
        assert REFUSAL in content
        assert "vllm-test" not in content.split('id="delete-refusals"')[1].split("</ul>")[0]
    assert Engine.objects.count() == 2


def test_unreferenced_engines_delete_normally(admin_client, engine, other_engine):
    response = admin_client.post(engine_delete(other_engine["id"]), {"post": "yes"})
    assert response.status_code == 302
    run_action(admin_client, ENGINES, "delete_selected", engine["id"], post="yes")
    assert not Engine.objects.exists()


def test_the_knowledge_embedding_model_cannot_be_deleted(admin_client, make_model, sdk):
    model = make_model("embed", capabilities="embedding", extra_config={"dim": 8})
    sdk.knowledge.update_config({"enabled": True, "embedding_model_id": model["id"]})
    url = reverse("admin:inventory_registeredmodel_delete", args=[model["id"]])
    response = admin_client.post(url, {"post": "yes"})
    assert "model 'embed' is the knowledge embedding model and cannot be deleted" in text(response)
    run_action(admin_client, MODELS, "delete_selected", model["id"], post="yes")
    assert RegisteredModel.objects.filter(pk=model["id"]).exists()
    assert KnowledgeSettings.load().embedding_model_id == model["id"]


def test_a_delete_refused_by_the_database_is_reported(
    admin_client, make_model, engine, monkeypatch
):
    """A model registered between the confirmation check and the delete: the core refuses,
    the admin shows its message and keeps the engine."""
    make_model("late")
    monkeypatch.setattr(
        ValidatedAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), [])
    )
    response = admin_client.post(engine_delete(engine["id"]), {"post": "yes"}, follow=True)
    assert (
        django_messages.ERROR,
        REFUSAL.replace("2 registered models", "1 registered model"),
    ) in messages_of(response)
    assert Engine.objects.filter(pk=engine["id"]).exists()
    response = run_action(admin_client, ENGINES, "delete_selected", engine["id"], post="yes")
    assert Engine.objects.filter(pk=engine["id"]).exists()
    assert not any("Successfully deleted" in text for _, text in messages_of(response))


@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999999"])
def test_a_malformed_selection_is_reported_not_a_crash(admin_client, make_model, selected):
    row = make_model("a", status="active")
    response = run_action(admin_client, MODELS, "deactivate", row["id"], selected)
    assert response.status_code == 200
    assert (django_messages.ERROR, f"Invalid selection: {selected!r} is not a row id.") in (
        messages_of(response)
    )
    assert statuses() == {"a": "active"}
