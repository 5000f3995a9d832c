"""A bounded schemathesis run over the deliberation API's OpenAPI: bad input never gets a 5xx,
and every refusal carries a Chinese ``detail`` (SQLite; derandomized, so a failure reproduces)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from tests.unit.deliberation.conftest import TOKEN

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
def test_no_server_errors_and_chinese_refusals(hub: FastAPI, api: TestClient) -> None:
    schema = schemathesis.openapi.from_dict(hub.openapi()).include(path_regex=r"^/api/deliberation")
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 15, [op.label for op in ops]
    failures: list[str] = []
    client = TestClient(hub, raise_server_exceptions=False)
    for op in ops:

        @given(case=op.as_strategy())
        @settings(
            max_examples=8,
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
            response = client.request(**kwargs)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: "
                    f"{response.text[:200]}"
                )
            elif response.status_code >= 400 and response.headers.get(
                "content-type", ""
            ).startswith("application/json"):
                detail = str(response.json().get("detail", ""))
                if not CJK.search(detail):
                    failures.append(f"{case.method} {case.formatted_path} → {detail[:200]}")

        check()
    assert not failures, sorted({f.split(" → ")[0] for f in failures})
