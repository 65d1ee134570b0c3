"""The admin's change form, posted for each entity: one validation and at most eight queries
for the whole request, its transaction included (see ``tests/web/test_edit_budget.py``)."""

import pytest

from tests.edits import CHANGES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("entity", list(CHANGES))
def test_an_admin_edit_validates_once_within_eight_queries(edit_within_budget, entity):
    queries = edit_within_budget("admin", entity)
    # The change record is the row's history (its History page); no second log entry.
    assert not [sql for sql in queries if "django_admin_log" in sql]
