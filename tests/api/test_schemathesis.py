"""Schemathesis over the live schema: every operation, bounded examples, no server error and
no response that contradicts the published schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from inventory.sdk import module_sdk

EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 15, schemathesis.GenerationMode.NEGATIVE: 6}
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def sample_inventory(engine, catalog_model, make_model) -> None:
    make_model("llama3", capabilities="chat", extra_config={"defaults": {"top_p": 0.5}})
    embedder = make_model("embedder", capabilities="embedding", extra_config={"dim": 64})
    module_sdk.knowledge.update_config({"enabled": True, "embedding_model_id": embedder["id"]})


@pytest.mark.django_db(transaction=True)
def test_every_operation_conforms(live_server, admin_user, token_for, sample_inventory):
    headers = {"Authorization": f"Bearer {token_for(admin_user)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /api/v1/model-registry/", "PATCH /api/v1/knowledge/config/"} <= labels
    assert len([label for label in labels if "-registry/" in label]) >= 3 * 8
    assert "POST /api/v1/inventory/import/" in labels and len(labels) == len(operations)

    failures: list[str] = []
    called: dict[str, int] = dict.fromkeys(labels, 0)
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                phases=[Phase.explicit, Phase.generate],
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                called[case.operation.label] += 1
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                check()
            except (Exception, BaseExceptionGroup) as error:  # report every failing operation
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
    assert all(called.values()), [label for label, count in called.items() if not count]
