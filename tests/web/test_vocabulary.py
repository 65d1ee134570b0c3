"""The vocabulary page: lists every governed vocabulary; administrators add and remove terms
and aliases there, with the core's messages; readers only read."""

from __future__ import annotations

import html

import pytest

from inventory.models import VocabularyAlias, VocabularyTerm
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db

URL = "/vocabulary/"


def test_page_lists_the_vocabularies(admin_client):
    page = admin_client.get(URL).content.decode()
    for key in ("capability", "feature", "format", "provider"):
        assert f'data-testid="vocabulary-{key}"' in page
    assert 'data-term="image_generation"' in page
    assert '<code class="me-1">ggufv2</code>' in page


def test_add_use_and_remove_a_term_on_the_page(admin_client, engine):
    response = admin_client.post(
        URL, {"action": "add_term", "kind": "capability", "name": "Dance", "label": "Dancing"}
    )
    assert response.status_code == 302
    assert VocabularyTerm.objects.filter(kind="capability", name="dance").exists()
    form = admin_client.get("/models/new/").content.decode()
    assert 'value="dance"' in form  # offered by the create form at once
    admin_client.post(
        URL, {"action": "add_alias", "kind": "capability", "alias": "ballet", "term": "dance"}
    )
    assert VocabularyAlias.objects.get(alias="ballet").term.name == "dance"

    bad = admin_client.post(URL, {"action": "add_term", "kind": "capability", "name": "vision"})
    assert bad.status_code == 400
    assert "'vision' is already an alias of the capability 'image_to_text'" in html.unescape(
        bad.content.decode()
    )

    module_sdk.models.model_registry.create(
        {"name": "m", "engine_id": engine["id"], "capabilities": "ballet"}
    )
    refused = admin_client.post(
        URL, {"action": "remove_term", "kind": "capability", "name": "dance"}
    )
    assert refused.status_code == 400
    assert "capability 'dance' is still used by 1 registered models" in html.unescape(
        refused.content.decode()
    )
    module_sdk.models.model_registry.update(
        module_sdk.models.model_registry.all()["rows"][0]["id"], {"capabilities": ""}
    )
    removed = admin_client.post(
        URL, {"action": "remove_term", "kind": "capability", "name": "dance"}
    )
    assert removed.status_code == 302
    assert not VocabularyTerm.objects.filter(name="dance").exists()
    assert not VocabularyAlias.objects.filter(alias="ballet").exists()


def test_readers_see_no_forms_and_cannot_write(reader_client):
    page = reader_client.get(URL)
    assert page.status_code == 200
    assert 'data-testid="add-term"' not in page.content.decode()
    forbidden = reader_client.post(URL, {"action": "add_term", "kind": "format", "name": "x"})
    assert forbidden.status_code == 403
    assert not VocabularyTerm.objects.filter(kind="format", name="x").exists()


def test_list_filters_follow_the_vocabulary_at_once(admin_client):
    """The filter form is built once per set of terms: a term added or removed shows in the
    list's filters on the next page."""
    assert 'id="cap-dance"' not in admin_client.get("/models/").content.decode()
    admin_client.post(URL, {"action": "add_term", "kind": "capability", "name": "Dance"})
    assert 'id="cap-dance"' in admin_client.get("/models/").content.decode()
    admin_client.post(URL, {"action": "remove_term", "kind": "capability", "name": "dance"})
    assert 'id="cap-dance"' not in admin_client.get("/models/").content.decode()
