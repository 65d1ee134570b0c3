"""Pages and the admin save through the services: an edit validates once, writes only the
changed fields under the row lock within a bounded number of queries, and a form opened
before someone else's change is refused with a message, nothing written."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from inventory.models import Engine

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
AUDIT_INSERTS = ('INSERT INTO "change_record"', 'INSERT INTO "django_admin_log"')
#: Read by the session and authentication middleware on every request, before any view.
REQUEST_READS = ('SELECT "django_session"', 'SELECT "auth_user"')


def form_data(form) -> dict:
    """What a browser posts for a form shown unchanged."""
    data = {}
    for field in form:
        value = field.value()
        if value is True:
            data[field.html_name] = "on"
        elif value is not None and value is not False:
            data[field.html_name] = value
    return data


@pytest.fixture
def validations(monkeypatch) -> list[Model]:
    """Every model validation (``full_clean``) run while the test does."""
    seen: list[Model] = []
    real = Model.full_clean

    def counting(self, *args, **kwargs):
        seen.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Model, "full_clean", counting)
    return seen


def opened(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(
        response.context["adminform"].form
        if "adminform" in response.context
        else response.context["form"]
    )


EDITS = [("web", "/{slug}/{id}/edit/"), ("admin", "/admin/inventory/{model}/{id}/change/")]


@pytest.fixture
def rows(engine, catalog_model, make_model) -> dict[str, tuple[str, str, int]]:
    model = make_model("llama3", capabilities="chat", vram_required_mb=100)
    return {
        "engine": ("engines", "engine", engine["id"]),
        "catalog": ("catalog", "availablemodel", catalog_model["id"]),
        "registered": ("models", "registeredmodel", model["id"]),
    }


CHANGES = {
    "engine": {"status": "error", "provider": "vllm"},
    "catalog": {"status": "failed", "version": "2"},
    "registered": {"status": "downloading", "vram_required_mb": "2048"},
}


@pytest.mark.parametrize("entity", list(CHANGES))
@pytest.mark.parametrize("door, page", EDITS, ids=[door for door, _ in EDITS])
def test_an_edit_validates_once_within_the_query_budget(
    admin_client, rows, validations, entity, door, page
):
    """The edit (everything but the middleware's session and user reads) stays within the
    budget; on top come the audit trail's INSERTs: the change record, and in the admin its
    own log entry."""
    slug, model, pk = rows[entity]
    url = page.format(slug=slug, model=model, id=pk)
    data = {**opened(admin_client, url), **CHANGES[entity]}
    validations.clear()
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and (
        response.context.get("form") or response.context["adminform"].form
    ).errors
    assert len(validations) == 1
    audit = [query["sql"] for query in queries if query["sql"].startswith(AUDIT_INSERTS)]
    edit = [
        query["sql"]
        for query in queries
        if not query["sql"].startswith((*AUDIT_INSERTS, *REQUEST_READS))
    ]
    assert len(edit) <= MAX_QUERIES, edit
    assert len(audit) == (2 if door == "admin" else 1), audit
    updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and '"name"' not in updates[0] and '"capabilities"' not in updates[0]
    assert all(f'"{key}" = ' in updates[0] for key in CHANGES[entity])


@pytest.mark.parametrize(
    "url",
    ["/engines/{id}/edit/", "/admin/inventory/engine/{id}/change/"],
    ids=["web", "admin"],
)
def test_a_stale_edit_form_is_refused_and_writes_nothing(admin_client, engine, url):
    url = url.format(id=engine["id"])
    first = opened(admin_client, url)
    second = opened(admin_client, url)
    saved = admin_client.post(url, {**first, "status": "error"})
    assert saved.status_code == 302
    refused = admin_client.post(url, {**second, "name": "renamed"})
    assert refused.status_code == 200
    assert "was changed since you opened it, so nothing was saved" in html.unescape(
        refused.content.decode()
    )
    stored = Engine.objects.get(pk=engine["id"])
    assert (stored.name, stored.status) == ("ollama-test", "error")


def test_an_unchanged_form_writes_nothing(admin_client, engine):
    url = f"/engines/{engine['id']}/edit/"
    before = Engine.objects.get(pk=engine["id"]).updated_at
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, opened(admin_client, url))
    assert response.status_code == 302
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    assert Engine.objects.get(pk=engine["id"]).updated_at == before
