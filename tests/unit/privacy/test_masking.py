"""Phone and ID numbers masked in the staff console, CSV exports, the knowledge base's
unanswered queue and logs, unless the role calls residents back (admin, grid worker)."""

from __future__ import annotations

import csv
import io
import logging

from fastapi.testclient import TestClient

from core.logging import PiiMaskingFilter
from tests.unit.privacy.conftest import AUTH, report

PHONE = "13812345678"
ID_CARD = "110101199003074578"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_staff_role_sees_masked_numbers_everywhere(api: TestClient, login) -> None:
    no = report(api, description=f"漏水，电话{PHONE}，身份证{ID_CARD}")["case_no"]
    boss = login("boss", "admin")
    boss.client.post(f"/staff/cases/{no}/note", data={"csrf_token": boss.csrf,
                     "text": "住户说另一个号码 13900001111 也能打"})  # fmt: skip
    clerk = login("clerk", "staff")
    page = clerk.client.get(f"/staff/cases/{no}").text
    csv_text = clerk.client.get("/staff/export.csv", params={"status": ""}).text
    for text in (page, csv_text):
        for raw in (PHONE, ID_CARD, "13900001111"):
            assert raw not in text
    assert "138****5678" in page and "139****1111" in page and "110101********8" in page
    row = next(r for r in _rows(csv_text) if r["编号"] == no)
    assert row["联系电话"] == "138****5678"
    assert row["描述"] == "漏水，电话138****5678，身份证110101********8"


def test_roles_that_call_back_see_full_numbers(api: TestClient, login) -> None:
    no = report(api, description=f"电话{PHONE}")["case_no"]
    for member in (login("boss", "admin"), login("wangfang", "grid_worker", ["G2"])):
        csv_text = member.client.get("/staff/export.csv", params={"status": ""}).text
        row = next((r for r in _rows(csv_text) if r["编号"] == no), None)
        if row is None:  # a grid worker sees only their grid's cases
            continue
        assert row["联系电话"] == PHONE and PHONE in row["描述"]
        assert PHONE in member.client.get(f"/staff/cases/{no}").text


def test_unanswered_queue_is_masked(api: TestClient, login) -> None:
    question = f"我的手机{PHONE}收不到验证码怎么办呀"
    api.post("/api/kb/ask", json={"question": question, "channel": "rest"}, headers=AUTH)
    boss = login("boss", "admin")
    queue = boss.client.get("/api/kb/unanswered").json()
    assert queue, "the question should be queued for staff"
    assert all(PHONE not in item["question"] for item in queue)
    assert any("138****5678" in item["question"] for item in queue)


def test_log_records_are_masked() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s "%s %s"', ("127.0.0.1", "GET",
                               f"/staff/api/residents/export?phone={PHONE}"), None)  # fmt: skip
    assert PiiMaskingFilter().filter(record)
    assert PHONE not in record.getMessage() and "138****5678" in record.getMessage()
