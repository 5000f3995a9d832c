"""The address and phone said after an emergency go to the same urgent case, which is routed to
that building's grid, and staff are alerted at once (issue 14, item 2: the hub's side)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cases import lifecycle
from cases.crud import get_case
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}
SENDER = "web:gas1"


def _emergency(api: TestClient, **fields: object) -> dict:
    body = {"type": "emergency", "category": "other", "description": "燃气泄漏：厨房里煤气味好重",
            "sender_id": SENDER, "channel": "web"}  # fmt: skip
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def _details(api: TestClient, case_no: str, sender: str = SENDER, **fields: object):
    return api.post(f"/api/cases/{case_no}/details", json={"sender_id": sender, **fields},
                    headers=AUTH)  # fmt: skip


def _staff_alerts(api: TestClient) -> list[dict]:
    return api.get("/api/outbox", params={"channel": "staff"}, headers=AUTH).json()


def test_address_and_phone_after_an_emergency_reach_the_same_case(api, db) -> None:
    case = _emergency(api)
    no = case["case_no"]
    assert case["location"] is None and case["assignee"] == "社区居委会 何主任"  # duty desk
    created_alert = _staff_alerts(api)
    assert [a["case_no"] for a in created_alert] == [no]
    assert "【紧急】" in created_alert[0]["text"] and "还没说" in created_alert[0]["text"]
    api.post("/api/outbox/ack", json={"ids": [created_alert[0]["id"]]}, headers=AUTH)

    placed = _details(api, no, location={"building": "12", "unit": "3", "room": "401",
                                         "raw": "在12号楼3单元401"})  # fmt: skip
    assert placed.status_code == 200, placed.text
    after = placed.json()
    assert after["case_no"] == no and after["type"] == "emergency"
    assert after["location"]["building"] == "12" and after["location"]["room"] == "401"
    assert after["assignee"] == "第三网格网格员 张敏"  # routed to the building's grid at once
    alerts = _staff_alerts(api)
    assert len(alerts) == 1 and alerts[0]["case_no"] == no
    assert "【紧急】" in alerts[0]["text"] and "12号楼3单元401室" in alerts[0]["text"]
    assert alerts[0]["recipient"].startswith("worker:")

    phoned = _details(api, no, contact_phone="139 1234 5678")
    assert phoned.status_code == 200 and phoned.json()["contact_masked"] == "139****5678"
    assert "13912345678" in _staff_alerts(api)[-1]["text"]  # the duty desk calls back
    history = [h["text"] for h in api.get(f"/api/cases/{no}/history", headers=AUTH).json()]
    assert "居民补充了地点：12号楼3单元401室" in history
    assert "居民留了联系电话（139****5678）" in history
    with db() as session:
        stored = get_case(session=session, case_no=no)
        assert stored.grid is not None and stored.grid.code == "G3"
        assert stored.phone_tail == "5678" and stored.contact_declined is False
    mine = api.get("/api/cases", params={"sender_id": SENDER}, headers=AUTH).json()
    assert [c["case_no"] for c in mine] == [no]  # the same case, no second one


def test_only_the_reporter_adds_details_and_only_to_an_open_case(api, db, clock) -> None:
    no = _emergency(api)["case_no"]
    stranger = _details(api, no, sender="web:someone-else", contact_phone="13900001111")
    assert stranger.status_code == 403
    assert _details(api, "JJ-20000101-0001", contact_phone="13900001111").status_code == 404
    assert _details(api, no).status_code == 422  # nothing to add
    assert _details(api, no, contact_phone="12").status_code == 422
    with db() as session:
        case = get_case(session=session, case_no=no)
        lifecycle.change_status(session=session, case=case, new_status=Status.CLOSED,
                                now=clock.now(), actor="t")  # fmt: skip
    assert _details(api, no, contact_phone="13900001111").status_code == 409


def test_the_console_shows_new_alerts_until_the_case_is_opened(api, login) -> None:
    no = _emergency(api)["case_no"]
    _details(api, no, location={"building": "12", "unit": "3", "room": "401"})
    admin = login("zhao", "admin")
    queue = admin.api.get("/staff/").text
    assert "紧急提醒" in queue and f"/staff/cases/{no}" in queue and "12号楼3单元401室" in queue
    assert admin.api.get("/staff/api/alerts").json()["count"] == 2  # created + address
    grid3 = login("zhang", "grid_worker", ["G3"])
    assert "12号楼3单元401室" in grid3.api.get("/staff/").text  # the grid's own worker sees it
    grid1 = login("wang", "grid_worker", ["G1"])
    assert grid1.api.get("/staff/api/alerts").json()["count"] == 0  # not their grid
    assert admin.api.get(f"/staff/cases/{no}").status_code == 200
    assert admin.api.get("/staff/api/alerts").json() == {"count": 0, "newest": 0}
    seen = admin.api.get("/staff/").text
    assert 'aria-live="assertive" hidden' in seen and "居民补充了地点" not in seen
