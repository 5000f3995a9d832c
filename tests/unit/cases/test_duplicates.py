"""Duplicate reports: same category + same building + open → linked, and kept in step."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cases import lifecycle
from cases.crud import get_case
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def _report(api: TestClient, sender: str, **fields) -> dict:
    body = {
        "type": "report",
        "category": "streetlight",
        "location": {"building": "8"},
        "description": "路灯不亮",
        "sender_id": sender,
    }
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def test_same_category_and_building_links_to_open_case(api: TestClient) -> None:
    first = _report(api, "tg:1")
    second = _report(api, "tg:2", location={"building": "8号楼", "unit": "1"})
    third = _report(api, "kiosk:k3")
    assert first["linked_to"] is None
    assert second["linked_to"] == first["case_no"]
    assert third["linked_to"] == first["case_no"]  # linked to the root, not a chain
    assert second["assignee"] == first["assignee"]
    assert second["due_at"] == first["due_at"]
    history = api.get(f"/api/cases/{second['case_no']}/history", headers=AUTH).json()
    assert any("已有邻居报过" in h["text"] and first["case_no"] in h["text"] for h in history)


def test_not_linked_when_different_or_closed(api: TestClient, db, clock) -> None:
    first = _report(api, "tg:1")
    assert _report(api, "tg:2", location={"building": "9"})["linked_to"] is None
    assert _report(api, "tg:3", category="roads")["linked_to"] is None
    assert _report(api, "tg:4", location=None)["linked_to"] is None  # no building, no match
    assert api.post("/api/cases", json={"type": "service", "service_code": "senior_card",
                                        "location": {"building": "8"}},
                    headers=AUTH).json()["linked_to"] is None  # fmt: skip
    with db() as session:
        case = get_case(session=session, case_no=first["case_no"])
        lifecycle.change_status(session=session, case=case, new_status=Status.CLOSED,
                                now=clock.now(), actor="t")  # fmt: skip
    assert _report(api, "tg:5")["linked_to"] is None


def test_linked_residents_get_the_same_updates(api: TestClient, db, clock) -> None:
    first = _report(api, "tg:1")
    second = _report(api, "tg:2")
    with db() as session:
        case = get_case(session=session, case_no=first["case_no"])
        lifecycle.change_status(session=session, case=case, new_status=Status.RESOLVED,
                                now=clock.now(), actor="t", note="换了灯头")  # fmt: skip
    linked = api.get(f"/api/cases/{second['case_no']}", headers=AUTH).json()
    assert linked["status"] == "resolved"
    outbox = api.get("/api/outbox", params={"channel": "telegram"}, headers=AUTH).json()
    by_recipient = {m["recipient"]: m for m in outbox}
    assert set(by_recipient) == {"1", "2"}
    assert "换了灯头" in by_recipient["2"]["text"]
    assert by_recipient["2"]["case_no"] == second["case_no"]
    # each resident confirms for themselves
    ok = api.post(f"/api/cases/{second['case_no']}/confirm",
                  json={"sender_id": "tg:2", "rating": "resolved"}, headers=AUTH)  # fmt: skip
    assert ok.status_code == 200
    assert api.get(f"/api/cases/{first['case_no']}", headers=AUTH).json()["status"] == "resolved"
