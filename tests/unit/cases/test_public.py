"""Public stats and notices for the wall dashboard: aggregated, no personal data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cases import lifecycle
from cases.crud import get_case
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def test_stats_aggregate_this_week_without_personal_data(api: TestClient, db, clock) -> None:
    made = []
    for i, (category, building) in enumerate(
        [("leak", "1"), ("leak", "2"), ("garbage", "3"), ("noise", "4")]
    ):
        made.append(api.post("/api/cases", json={
            "type": "report", "category": category, "location": {"building": building,
                                                                  "room": "301"},
            "description": f"秘密描述{i} 联系13812345678", "contact_phone": "13812345678",
            "sender_id": f"tg:77{i}"}, headers=AUTH).json())  # fmt: skip
    clock.advance(hours=10)
    with db() as session:
        for case_json in made[:2]:
            case = get_case(session=session, case_no=case_json["case_no"])
            lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                    now=clock.now(), actor="t")  # fmt: skip
    api.post(f"/api/cases/{made[0]['case_no']}/confirm",
             json={"sender_id": "tg:770", "rating": "resolved"}, headers=AUTH)  # fmt: skip
    api.post(f"/api/cases/{made[1]['case_no']}/confirm",
             json={"sender_id": "tg:771", "rating": "partial"}, headers=AUTH)  # fmt: skip

    response = api.get("/api/public/stats")  # no auth needed
    assert response.status_code == 200
    stats = response.json()
    assert stats["week_start"] == "2026-11-16"
    assert stats["reports_this_week"] == 4
    assert {c["code"]: c["count"] for c in stats["by_category"]} == \
        {"leak": 2, "garbage": 1, "noise": 1}  # fmt: skip
    assert stats["by_category"][0] == {"code": "leak", "name": "漏水渗水", "count": 2}
    assert stats["open"] == 3  # 部分解决 keeps the second one open (follow-up)
    assert stats["closed_this_week"] == 1
    assert stats["confirmed_this_week"] == 1
    assert stats["confirmed_rate"] == 0.25  # 1 of this week's 4 reports (not 1 of 1 closed)
    assert stats["avg_hours_to_fix"] == 10.0  # the partly fixed one is not fixed yet
    assert stats["satisfaction"] == 0.75
    text = response.text
    for secret in ("13812345678", "5678", "秘密", "tg:", "301", "BS-"):
        assert secret not in text


def test_stats_week_boundary(api: TestClient, clock) -> None:
    api.post("/api/cases", json={"type": "report", "category": "leak"}, headers=AUTH)
    clock.advance(days=2)  # Monday 2026-11-23 10:00 China time: a new week
    stats = api.get("/api/public/stats").json()
    assert stats["week_start"] == "2026-11-23"
    assert stats["reports_this_week"] == 0
    assert stats["open"] == 1


def test_notices_are_public_and_seeded(api: TestClient) -> None:
    notices = api.get("/api/public/notices").json()
    assert len(notices) == 3
    assert {"id", "title", "body", "published_at"} <= set(notices[0])
    assert any("停水" in n["title"] for n in notices)
    assert len(api.get("/api/public/notices", params={"limit": 1}).json()) == 1
