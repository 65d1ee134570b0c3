"""A web edit of each entity, its whole POST request counted (session and user reads, the
transaction, everything): one validation and at most eight queries (``tests.edits``).

No transaction wraps the test, as none wraps a request on a server: the edit's own
transaction is the outermost one, as in production."""

import pytest

from tests.edits import CHANGES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("entity", list(CHANGES))
def test_a_web_edit_validates_once_within_eight_queries(edit_within_budget, entity):
    edit_within_budget("web", entity)
