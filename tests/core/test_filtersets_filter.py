"""The generated django-filter FilterSets are what filter every list: the SDK's, the API's
and the pages' (each filter's ``filter()`` narrows the queryset)."""

from __future__ import annotations

import pytest

from inventory.filtersets import FILTERSETS, DeclaredFilter
from inventory.sdk import module_sdk

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = DeclaredFilter.filter

    def recording(self, queryset, value):
        seen.append(self.key)
        return real(self, queryset, value)

    monkeypatch.setattr(DeclaredFilter, "filter", recording)
    return seen


@pytest.fixture
def models(make_model) -> None:
    make_model("llama3", capabilities="chat", status="active")
    make_model("nomic", capabilities="embedding", extra_config={"dim": 8})


def test_sdk_lists_filter_through_the_filterset(models, applied):
    page = module_sdk.models.model_registry.list(
        filters={"capabilities": "completion", "status": "active", "q": "lla"}
    )
    assert [row["name"] for row in page["rows"]] == ["llama3"]
    assert set(applied) == {"capabilities", "q", "status"}


def test_api_and_pages_filter_through_the_filterset(models, applied, admin_client):
    response = admin_client.get("/api/v1/model-registry/", {"capabilities": "embed"})
    assert [row["name"] for row in response.json()["rows"]] == ["nomic"]
    assert set(applied) == {"capabilities"}
    applied.clear()
    page = admin_client.get("/models/", {"status": "active"})
    assert [row.record.name for row in page.context["table"].page.object_list] == ["llama3"]
    assert "status" in applied


def test_strictness_is_the_filtersets(db):
    filterset = FILTERSETS["model_registry"]
    with pytest.raises(ValueError, match="unknown filter 'colour'; known filters: id, name"):
        filterset.normalize({"colour": "red"})
    with pytest.raises(ValueError, match="id must be an integer, got 'x'"):
        filterset.normalize({"id": "x"})
    assert filterset.normalize({"id": [], "name": "", "capabilities": []}) == {"id": []}
