"""Staff and public views give local time from the one setting (issue 14 item 4): the CSV,
the case history, the wall dashboard's figures."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

AUTH = {"Authorization": "Bearer test-service-token"}


def test_csv_history_and_dashboard_are_local(api: TestClient, login) -> None:
    created = api.post("/api/cases", headers=AUTH, json={
        "type": "report", "category": "leak", "description": "漏水", "channel": "kiosk",
        "location": {"building": "5"}, "sender_id": "kiosk:1", "contact_declined": True,
    }).json()  # fmt: skip
    assert created["created_at"].startswith("2026-11-21T02:00")  # stored UTC (test clock)
    admin = login("boss", "admin")
    body = admin.api.get("/staff/export.csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["受理时间"] == "2026-11-21 10:00"
    assert rows[0]["渠道"] == "自助机"
    history = api.get(f"/api/cases/{created['case_no']}/history", headers=AUTH).json()
    assert history[0]["at"].startswith("2026-11-21T10:00") and history[0]["at"].endswith("+08:00")
    stats = api.get("/api/public/stats").json()
    assert stats["timezone"] == "Asia/Shanghai"
    assert stats["generated_at"].endswith("+08:00")
