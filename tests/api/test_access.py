"""Who may do what: anonymous and read-only callers cannot write, tokens are hashed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from inventory.models import ApiToken
from inventory.sdk import module_sdk

ENTITIES = ("engine_registry", "available_model_registry", "model_registry")


def url(name: str, pk: int | None = None) -> str:
    base = f"/api/v1/{name.replace('_', '-')}/"
    return base if pk is None else f"{base}{pk}/"


@pytest.fixture
def rows(engine, catalog_model, make_model) -> dict[str, dict]:
    return {
        "engine_registry": engine,
        "available_model_registry": catalog_model,
        "model_registry": make_model(
            "llama3", capabilities="chat", available_model_id=catalog_model["id"]
        ),
    }


def valid_payload(name: str, rows: dict[str, dict]) -> dict:
    return {
        "engine_registry": {"name": "new-engine", "provider": "vllm"},
        "available_model_registry": {"name": "new-catalog-row"},
        "model_registry": {"name": "new-model", "engine_id": rows["engine_registry"]["id"]},
    }[name]


WRITES = [
    *[
        (f"{verb} {name}", name)
        for name in ENTITIES
        for verb in ("create", "update", "partial update", "delete")
    ],
    ("update knowledge", "knowledge"),
    ("partial update knowledge", "knowledge"),
    *[
        (f"{verb} workflow", "workflow")
        for verb in ("bind", "deactivate", "reconcile", "prune", "import")
    ],
]


def workflow_request(label: str, rows: dict[str, dict]) -> tuple[str, str, dict]:
    """The workflow writes (``inventory.api.workflows``), each with a body that succeeds."""
    model = f"/api/v1/model-registry/{rows['model_registry']['id']}/"
    return {
        "bind": (
            "/api/v1/model-registry/bind/",
            {
                "engine_id": rows["engine_registry"]["id"],
                "available_model_id": rows["available_model_registry"]["id"],
            },
        ),
        "deactivate": (model + "deactivate/", {}),
        "reconcile": (model + "reconcile/", {}),
        "prune": ("/api/v1/model-registry/stale/", {"ids": [], "confirm": True}),
        "import": (
            "/api/v1/inventory/import/",
            {"text": module_sdk.workflows.export_inventory("json"), "apply": True},
        ),
    }[label.split(" ", 1)[0]]


def write_request(label: str, name: str, rows: dict[str, dict]) -> tuple[str, str, dict]:
    """Method, path and a payload that an authorised caller could send."""
    if name == "knowledge":
        method = "put" if label.startswith("update") else "patch"
        return method, "/api/v1/knowledge/config/", {"enabled": False}
    if name == "workflow":
        return ("post", *workflow_request(label, rows))
    pk = rows[name]["id"]
    payload = valid_payload(name, rows)
    return {
        "create": ("post", url(name), payload),
        "update": ("put", url(name, pk), {**payload, "name": "replaced"}),
        "partial update": ("patch", url(name, pk), {"name": "renamed"}),
        "delete": ("delete", url(name, pk), {}),
    }[label.rsplit(" ", 1)[0]]


def state() -> dict:
    return {
        **{name: module_sdk.models[name].all() for name in ENTITIES},
        "knowledge": module_sdk.knowledge.get_config(),
    }


@pytest.mark.parametrize(("label", "name"), WRITES, ids=[label for label, _ in WRITES])
def test_anonymous_callers_cannot_write(client_for, rows, label, name):
    method, path, payload = write_request(label, name, rows)
    before = state()
    response = getattr(client_for(None), method)(path, payload, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert state() == before


@pytest.mark.parametrize(("label", "name"), WRITES, ids=[label for label, _ in WRITES])
def test_read_only_callers_cannot_write(client_for, reader, rows, label, name):
    method, path, payload = write_request(label, name, rows)
    before = state()
    response = getattr(client_for(reader), method)(path, payload, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "errors"}
    assert state() == before


def test_the_same_writes_succeed_with_permissions(client_for, make_user, rows):
    """The refusals above come from permissions: a writer gets through with the same requests."""
    perms = [
        f"inventory.{action}_{model}"
        for model in ("engine", "availablemodel", "registeredmodel", "knowledgesettings")
        for action in ("view", "add", "change", "delete")
    ]
    client = client_for(make_user("writer", *perms))
    expected = {"post": 201, "put": 200, "patch": 200, "delete": 204}
    order = sorted(
        WRITES, key=lambda write: ("workflow", "knowledge", *ENTITIES[::-1]).index(write[1])
    )
    for label, name in order:  # registered models go before the engine they are on
        method, path, payload = write_request(label, name, rows)
        if label == "delete engine_registry":
            for row in module_sdk.models.model_registry.all()["rows"]:
                module_sdk.models.model_registry.delete(row["id"])
        response = getattr(client, method)(path, payload, format="json")
        wanted = 200 if name == "workflow" else expected[method]
        assert response.status_code == wanted, (label, response.content)


def test_anonymous_callers_cannot_read(client_for, rows):
    anonymous = client_for(None)
    paths = [url(name) for name in ENTITIES] + [url(name, rows[name]["id"]) for name in ENTITIES]
    for path in [*paths, "/api/v1/knowledge/config/", "/api/v1/capabilities/"]:
        assert anonymous.get(path).status_code == 401, path


def test_read_only_callers_can_read(client_for, reader, rows):
    client = client_for(reader)
    for name in ENTITIES:
        assert client.get(url(name)).status_code == 200
        assert client.get(url(name, rows[name]["id"])).status_code == 200
    assert client.get("/api/v1/knowledge/config/").status_code == 200


def test_each_permission_allows_only_its_operation(client_for, make_user, rows):
    """A user who may only add engines can create one, and nothing else."""
    client = client_for(make_user("adder", "inventory.view_engine", "inventory.add_engine"))
    created = client.post(url("engine_registry"), {"name": "e2", "provider": "vllm"}, "json")
    assert created.status_code == 201
    pk = rows["engine_registry"]["id"]
    assert client.patch(url("engine_registry", pk), {"name": "x"}, "json").status_code == 403
    assert client.delete(url("engine_registry", created.json()["id"])).status_code == 403
    assert client.get(url("model_registry")).status_code == 403


def test_users_without_view_permission_cannot_read(client_for, make_user, rows):
    client = client_for(make_user("nobody"))
    for name in ENTITIES:
        assert client.get(url(name)).status_code == 403
        assert client.get(url(name, rows[name]["id"])).status_code == 403
        assert client.get(url(name) + "table-model/").status_code == 403
    assert client.get("/api/v1/knowledge/config/").status_code == 403
    assert client.get("/api/v1/capabilities/").status_code == 200


def test_invalid_tokens_are_refused(client_for, admin_user, db):
    client = client_for(None)
    for header in ("Bearer wrong", "Token wrong", "Bearer", "Bearer a b"):
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(url("engine_registry"))
        assert response.status_code == 401, header
        assert set(response.json()) == {"detail", "errors"}


def test_token_keyword_and_inactive_users(client_for, token_for, make_user):
    user = make_user("module", "inventory.view_engine")
    token = token_for(user)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(url("engine_registry")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(url("engine_registry")).status_code == 401


def test_session_login_works_for_the_browsable_api(client, reader, db):
    client.force_login(reader)
    response = client.get(url("engine_registry"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Engine" in response.content
    csrf_free = client.post(url("engine_registry"), {"name": "x"}, content_type="application/json")
    assert csrf_free.status_code == 403


def test_create_api_token_prints_a_token_stored_only_as_a_hash(admin_user):
    out = StringIO()
    call_command("create_api_token", "admin", "--name", "indexer", stdout=out)
    token = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert row.name == "indexer" and row.user == admin_user
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.key_hash, row.prefix, row.name}
    assert token.startswith(row.prefix) and len(token) >= 40
    assert ApiToken.user_for(token) == admin_user
    assert ApiToken.user_for(token + "x") is None


def test_create_api_token_for_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("create_api_token", "ghost")


def test_expired_tokens_are_refused(client_for, make_user):
    user = make_user("module", "inventory.view_engine")
    row, token = ApiToken.issue(user, "indexer", timezone.now() + timedelta(hours=1))
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(url("engine_registry")).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url("engine_registry"))
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid token"


def test_create_api_token_with_an_expiry(admin_user):
    out = StringIO()
    call_command("create_api_token", "admin", "--expires-in", "30", stdout=out)
    row = ApiToken.objects.get()
    remaining = row.expires_at - timezone.now()
    assert timedelta(days=29, hours=23) < remaining <= timedelta(days=30)
    assert ApiToken.user_for(out.getvalue().strip()) == admin_user
    with pytest.raises(CommandError, match="1 or more"):
        call_command("create_api_token", "admin", "--expires-in", "0")
