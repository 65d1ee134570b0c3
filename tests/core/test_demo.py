"""The demo inventory: realistic, written through the validation path, loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from inventory import demo
from inventory.capabilities import parse_stored
from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_load_demo_fills_an_empty_inventory():
    output = load_demo()
    counts = (len(demo.ENGINES), len(demo.CATALOG), len(demo.REGISTRATIONS))
    assert (Engine.objects.count(), AvailableModel.objects.count()) == counts[:2]
    assert RegisteredModel.objects.count() == counts[2]
    assert f"Loaded {counts[0]} engines, {counts[1]} catalog models and {counts[2]}" in output
    assert len(module_sdk.models.engine_registry.all()["rows"]) >= 6
    assert len({row["provider"] for row in module_sdk.models.engine_registry.all()["rows"]}) >= 5
    assert len(demo.CATALOG) >= 24


def test_demo_covers_the_main_capabilities_with_real_dims():
    load_demo()
    models = module_sdk.models.model_registry
    for capability in ("chat", "embedding", "reranking", "stt", "tts", "detection"):
        assert models.count({"capabilities": capability}) >= 1, capability
    for row in models.all(filters={"capabilities": "embedding"})["rows"]:
        assert row["extra_config"]["dim"] in {384, 768, 1024, 1536}, row
    formats = {row["format"] for row in module_sdk.models.available_model_registry.all()["rows"]}
    assert {"gguf", "hf_snapshot", "onnx", "remote"} <= formats
    knowledge = module_sdk.knowledge.get_config()
    assert knowledge["enabled"] is True
    assert knowledge["embedding_model"]["name"] == demo.KNOWLEDGE_MODEL


def test_every_demo_row_passes_the_model_validation():
    load_demo()
    for model in (Engine, AvailableModel, RegisteredModel):
        for instance in model.objects.all():
            instance.full_clean()
    for row in module_sdk.models.model_registry.all()["rows"]:
        assert row["capabilities"] == ",".join(parse_stored(row["capabilities"]))


def test_demo_goes_through_the_services(monkeypatch):
    """A rule broken by the demo data is refused, so the demo cannot bypass validation."""
    broken = [{**demo.CATALOG[0], "capabilities": "chat,not-a-capability"}, *demo.CATALOG[1:]]
    monkeypatch.setattr(demo, "CATALOG", broken)
    with pytest.raises(module_sdk.ValidationError, match="not-a-capability"):
        load_demo()
    assert Engine.objects.count() == 0  # one transaction: nothing half loaded


def test_if_empty_is_idempotent():
    load_demo("--if-empty")
    before = {
        model: list(model.objects.values_list("id", "updated_at"))
        for model in (Engine, AvailableModel, RegisteredModel)
    }
    output = load_demo("--if-empty")
    assert "already has rows; demo data not loaded" in output
    after = {
        model: list(model.objects.values_list("id", "updated_at"))
        for model in (Engine, AvailableModel, RegisteredModel)
    }
    assert after == before


def test_without_if_empty_a_filled_inventory_is_refused(engine):
    with pytest.raises(CommandError, match="not empty"):
        load_demo()
    assert Engine.objects.count() == 1


def test_admin_login_is_created_once_and_works():
    output = load_demo("--if-empty", "--admin", "admin:admin")
    assert "Created superuser 'admin'" in output
    user = authenticate(RequestFactory().post("/login/"), username="admin", password="admin")
    assert user is not None and user.is_superuser
    User.objects.filter(username="admin").update(password="")
    again = load_demo("--if-empty", "--admin", "admin:other")
    assert "already exists; password unchanged" in again
    assert User.objects.get(username="admin").password == ""


@pytest.mark.parametrize("spec", ["admin", "admin:", ":pw"])
def test_admin_spec_must_have_user_and_password(spec):
    with pytest.raises(CommandError, match="USERNAME:PASSWORD"):
        load_demo("--admin", spec)
    assert not User.objects.exists()
