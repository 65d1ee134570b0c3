"""Fixtures for the REST API tests: tokens, DRF test clients and the HTTP client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from inventory.client import RegistryClient
from inventory.models import ApiToken


@pytest.fixture
def token_for(db) -> Callable[[User], str]:
    def issue(user: User) -> str:
        return ApiToken.issue(user, "tests")[1]

    return issue


@pytest.fixture
def client_for(token_for) -> Callable[[User | None], APIClient]:
    """A DRF test client authenticated with a bearer token (anonymous for ``None``)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


@pytest.fixture
def api(client_for, admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def http_client(live_server, admin_user, token_for) -> RegistryClient:
    """``RegistryClient`` talking HTTP to the live test server as a superuser."""
    client = RegistryClient(live_server.url, token_for(admin_user))
    yield client
    client.close()
