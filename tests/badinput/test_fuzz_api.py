"""A bounded schemathesis run over the hub's OpenAPI (case API, Open311, knowledge search): no 5xx.

In-process (ASGI, no sockets), hashing embedder, a fresh data dir; a few generated requests per
operation, derandomized so a failure is reproducible.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from tests.badinput.conftest import TOKEN

FUZZED = r"^/(api/cases|open311/v2/|api/kb/search)"
EXAMPLES_PER_OPERATION = 8


def operations(app: FastAPI) -> list:
    """Every fuzzed API operation of the hub's OpenAPI schema."""
    schema = schemathesis.openapi.from_dict(app.openapi()).include(path_regex=FUZZED)
    return [result.ok() for result in schema.get_all_operations()]


def test_no_server_errors(hub_app: FastAPI) -> None:
    failures: list[str] = []
    calls: list[str] = []
    with TestClient(hub_app, raise_server_exceptions=False) as client:  # lifespan runs once
        assert client.get("/openapi.json").json() == hub_app.openapi()  # what clients see
        ops = operations(hub_app)
        assert len(ops) >= 8, [op.label for op in ops]
        for op in ops:

            @given(case=op.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                kwargs = case.as_transport_kwargs(
                    base_url="http://testserver", headers={"Authorization": f"Bearer {TOKEN}"}
                )
                kwargs.pop("cookies", None)
                try:
                    response = client.request(**kwargs)
                    calls.append(case.operation.label)
                except Exception as exc:  # noqa: BLE001 - an app crash counts as a failure
                    failures.append(f"{case.method} {case.formatted_path}: {exc!r}")
                    return
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query!r} {case.body!r:.200}"
                        f" → {response.status_code}: {response.text[:300]}"
                    )

            check()
    assert not failures, "\n".join(failures[:20])
    assert set(calls) == {op.label for op in ops}  # every operation was really exercised


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING")
