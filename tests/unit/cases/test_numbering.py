"""Case numbers: unique and gap-free per day under concurrent creation (threads, real DB)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cases.numbering import format_case_no, normalize_case_no
from core.contracts import CaseType

AUTH = {"Authorization": "Bearer test-service-token"}


def test_concurrent_creates_get_unique_sequential_numbers(api: TestClient, hub: FastAPI) -> None:
    def create(i: int) -> str:
        response = api.post("/api/cases", json={
            "type": "report", "category": "garbage", "description": f"第{i}件",
            "idempotency_key": f"k{i % 20}"}, headers=AUTH)  # fmt: skip
        assert response.status_code in (200, 201), response.text
        return response.json()["case_no"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(create, range(40)))
    distinct = sorted(set(numbers))
    assert len(distinct) == 20  # 20 idempotency keys → 20 cases
    # each key always maps to the same case
    for i in range(20):
        assert numbers[i] == numbers[i + 20]
    # every number taken was used: concurrent retries on the same key roll back cleanly
    seqs = sorted(int(n[-4:]) for n in distinct)
    assert seqs[0] == 1 and len(seqs) == len(set(seqs))


def test_day_rolls_over_in_china_time(api: TestClient, clock) -> None:
    first = api.post("/api/cases", json={"type": "report"}, headers=AUTH).json()
    clock.advance(hours=14)  # 2026-11-21 16:00 UTC = 2026-11-22 00:00 China time
    second = api.post("/api/cases", json={"type": "report"}, headers=AUTH).json()
    assert first["case_no"] == "BS-20261121-0001"
    assert second["case_no"] == "BS-20261122-0001"


def test_format_and_normalize() -> None:
    assert format_case_no(CaseType.CALLBACK, "20261121", 42) == "RG-20261121-0042"
    assert normalize_case_no(" bs 20261121 0042 ") == "BS-20261121-0042"
    assert normalize_case_no("jj－20261121－0001") == "JJ-20261121-0001"
    assert normalize_case_no("0042") == "0042"
