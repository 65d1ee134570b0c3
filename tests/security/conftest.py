"""Fixtures of the security tests: API tokens as the API tests issue them."""

from tests.api.conftest import token_for  # noqa: F401
