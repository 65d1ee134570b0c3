"""The HTTP client reads engine secrets in clear only with the token user's permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inventory.client import RegistryAPIError, RegistryClient
from inventory.models import ApiToken
from tests.conftest import VIEW_PERMS

from .test_doors import CONFIG, MASKED, SECRET_READER_PERMS


def as_user(live_server: Any, user: Any, call: Callable[[RegistryClient], Any]) -> Any:
    """Run ``call`` with a client for ``user``, closed afterwards (one connection at a time)."""
    client = RegistryClient(live_server.url, ApiToken.issue(user, "tests")[1])
    try:
        return call(client)
    finally:
        client.close()


@pytest.mark.django_db(transaction=True)
def test_http_client_follows_the_token_users_permission(live_server, make_user, admin_user):
    reader = make_user("reader", *VIEW_PERMS)
    module = make_user("module", *SECRET_READER_PERMS)
    created = as_user(
        live_server,
        admin_user,
        lambda c: c.models.engine_registry.create(
            {"name": "remote", "provider": "openai", "config": CONFIG}
        ),
    )
    assert created["config"] == MASKED
    engine_id = created["id"]

    def read_only(client: RegistryClient) -> None:
        assert client.models.engine_registry.view(engine_id)["config"] == MASKED
        with pytest.raises(RegistryAPIError) as error:
            client.models.engine_registry.view_secrets(engine_id)
        assert error.value.status == 403

    def permitted(client: RegistryClient) -> None:
        assert client.models.engine_registry.view_secrets(engine_id)["config"] == CONFIG
        assert client.models.engine_registry.view_secrets(999999) is None

    as_user(live_server, reader, read_only)
    as_user(live_server, module, permitted)
