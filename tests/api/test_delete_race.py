"""Concurrent DELETEs of one row without If-Match: one 204, the others 404 (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
import requests

from inventory.models import Engine
from inventory.sdk import module_sdk

THREADS = 8
ROUNDS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_deletes_of_one_row_answer_one_204(
    live_server, admin_user, token_for, engine
):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token_for(admin_user)}"
    for round_ in range(ROUNDS):
        row = module_sdk.models.engine_registry.create(
            {"name": f"doomed-{round_}", "provider": "vllm"}
        )
        url = f"{live_server.url}/api/v1/engine-registry/{row['id']}/"
        with ThreadPoolExecutor(THREADS) as pool:
            responses = list(pool.map(partial(session.delete, timeout=60), [url] * THREADS))
        assert sorted(r.status_code for r in responses) == [204] + [404] * (THREADS - 1)
        for response in responses:
            if response.status_code == 404:
                assert response.json()["detail"] == f"no engine_registry row with id {row['id']}"
    assert Engine.objects.count() == 1
