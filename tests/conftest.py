"""Shared fixtures: demo-free sample inventory, users with given permissions, and the switches
that make PostgreSQL and browser tests fail instead of skip in CI."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client

from inventory.sdk import module_sdk

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need PostgreSQL; without it they skip, or fail in CI."""
    for item in items:
        if "postgres" in item.keywords:
            item.fixturenames.append("_postgres_required")


@pytest.fixture
def _postgres_required() -> None:
    if connection.vendor != "postgresql":
        message = f"needs PostgreSQL (DATABASE_URL), running on {connection.vendor}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def sdk():
    return module_sdk


@pytest.fixture
def engine(db) -> dict:
    return module_sdk.models.engine_registry.create(
        {"name": "ollama-test", "provider": "ollama", "status": "active"}
    )


@pytest.fixture
def other_engine(db) -> dict:
    return module_sdk.models.engine_registry.create({"name": "vllm-test", "provider": "vllm"})


@pytest.fixture
def catalog_model(db) -> dict:
    return module_sdk.models.available_model_registry.create(
        {
            "name": "nomic-embed-text",
            "capabilities": "embedding",
            "format": "remote",
            "extra_config": {"dim": 768},
        }
    )


@pytest.fixture
def make_model(db, engine) -> Callable[..., dict]:
    """Create a registered model on ``engine`` with sensible defaults."""

    def make(name: str = "llama3", **fields) -> dict:
        return module_sdk.models.model_registry.create(
            {"name": name, "engine_id": engine["id"], **fields}
        )

    return make


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """A user holding the given ``app_label.codename`` permissions (or a superuser)."""

    def make(
        username: str = "reader",
        *perms: str,
        superuser: bool = False,
        password: str = "pw-Secret-123",
    ) -> User:
        if superuser:
            return User.objects.create_superuser(username=username, password=password)
        user = User.objects.create_user(username=username, password=password)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


VIEW_PERMS = (
    "inventory.view_engine",
    "inventory.view_availablemodel",
    "inventory.view_registeredmodel",
    "inventory.view_knowledgesettings",
)


@pytest.fixture
def reader(make_user) -> User:
    return make_user("reader", *VIEW_PERMS)


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("admin", superuser=True)


@pytest.fixture
def login(client) -> Callable[[User], Client]:
    """The test client, logged in as the given user (pages and admin)."""

    def log_in(user: User) -> Client:
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def admin_client(login, admin_user) -> Client:
    return login(admin_user)
