"""Fixtures for the admin tests: staff users and a logged-in test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from tests.conftest import VIEW_PERMS
from tests.edits import edit_ids, edit_within_budget, validations  # noqa: F401  (fixtures)

MODELS = ("engine", "availablemodel", "registeredmodel", "knowledgesettings")


@pytest.fixture
def make_staff(make_user) -> Callable[..., User]:
    """A staff user (admin login) with the given permissions."""

    def make(username: str, *perms: str) -> User:
        user = make_user(username, *perms)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return user

    return make


@pytest.fixture
def viewer(make_staff) -> User:
    """Staff with only the view permissions."""
    return make_staff("viewer", *VIEW_PERMS)


@pytest.fixture
def editor(make_staff) -> User:
    """Staff with view and change permissions, but no add or delete."""
    return make_staff("editor", *VIEW_PERMS, *(f"inventory.change_{name}" for name in MODELS))
