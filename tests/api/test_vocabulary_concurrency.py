"""Concurrent vocabulary writes on PostgreSQL: one of several additions of a term wins, the
others get the rule's message (never a 500); a removal racing a write that uses the term
never leaves a row with a removed term."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connections, transaction

from inventory.errors import RegistryProtectedError
from inventory.history import recording
from inventory.models import RegisteredModel, VocabularyTerm

WRITERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_of_one_term(live_server, admin_user, token_for):
    headers = {"Authorization": f"Bearer {token_for(admin_user)}"}
    endpoint = f"{live_server.url}/api/v1/vocabulary/terms/"
    start = threading.Barrier(WRITERS)

    def add(index: int) -> tuple[int, dict]:
        start.wait()
        response = requests.post(
            endpoint, json={"kind": "capability", "name": "dance"}, headers=headers, timeout=60
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(add, range(WRITERS)))

    assert sorted(status for status, _ in results) == [201] + [400] * (WRITERS - 1)
    for status, body in results:
        if status == 400:
            assert body["errors"] == {"name": ["'dance' is already a known capability"]}
    assert VocabularyTerm.objects.filter(kind="capability", name="dance").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_removal_waits_for_a_write_that_uses_the_term(sdk, engine):
    """A row validated with an added term holds the term until committed: a removal meanwhile
    waits, then sees the row and is refused, so no row is left with a removed term. (The
    write validates through the model directly and records no change: the change-record
    lock would serialize the two by itself.)"""
    sdk.vocabulary.add_term({"kind": "capability", "name": "dance"})
    validated = threading.Event()
    outcome: dict[str, object] = {}

    def writer() -> None:
        try:
            with recording.suspended(), transaction.atomic():
                row = RegisteredModel(name="dancer", engine_id=engine["id"], capabilities="dance")
                row.full_clean()
                row.save()
                validated.set()
                time.sleep(1.0)  # the removal is attempted meanwhile
        finally:
            validated.set()
            connections.close_all()

    def remover() -> None:
        validated.wait(10)
        try:
            outcome["removed"] = sdk.vocabulary.remove_term("capability", "dance")
        except RegistryProtectedError as error:
            outcome["refused"] = str(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer), threading.Thread(target=remover)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert "still used by 1 registered models" in str(outcome.get("refused")), outcome
    assert RegisteredModel.objects.get(name="dancer").capabilities == "dance"
    assert VocabularyTerm.objects.filter(kind="capability", name="dance").exists()
