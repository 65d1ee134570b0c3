"""The API fixtures (tokens named ``tests``, DRF clients, the HTTP client) for history tests."""

from tests.api.conftest import api, client_for, http_client, token_for

__all__ = ["api", "client_for", "http_client", "token_for"]
