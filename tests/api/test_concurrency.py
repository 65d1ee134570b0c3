"""Concurrent API writes on PostgreSQL: the database decides, the API reports it cleanly."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from inventory.sdk import module_sdk

WRITERS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_name(live_server, admin_user, token_for, engine):
    headers = {"Authorization": f"Bearer {token_for(admin_user)}"}
    endpoint = f"{live_server.url}/api/v1/model-registry/"
    start = threading.Barrier(WRITERS)

    def create(index: int) -> tuple[int, dict]:
        payload = {"name": "contested", "engine_id": engine["id"], "version": str(index)}
        start.wait()
        response = requests.post(endpoint, json=payload, headers=headers, timeout=60)
        return response.status_code, response.json()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(create, range(WRITERS)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [400] * (WRITERS - 1)
    for status, body in results:
        if status == 400:
            assert body == {
                "detail": 'model name already in use (by "contested")',
                "errors": {"name": ['model name already in use (by "contested")']},
            }
    assert module_sdk.models.model_registry.count({"name": "contested"}) == 1
