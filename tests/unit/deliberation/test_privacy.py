"""A resident's data in the deliberation part: export and deletion by sender id."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.deliberation.conftest import AUTH, ballot

BASE = "/api/deliberation"


def test_export_then_delete_keeps_the_households_vote_counted(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    pending = api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={"what": "我家楼下加装晾衣架", "resident_key": "tg:77", "channel": "telegram"},
    ).json()
    approved = api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={"what": "小区增设长椅", "resident_key": "tg:77", "channel": "telegram"},
    ).json()
    staff.post(f"{BASE}/proposals/{approved['number']}/approve")
    poll = staff.post(f"{BASE}/polls", question="问", scope="building", scope_codes=["1"]).json()
    api.post(
        f"{BASE}/polls/{poll['number']}/votes",
        headers=AUTH,
        json=ballot("1", "1", "101", "同意", resident_key="tg:77", relation="女儿"),
    )

    exported = api.post(f"{BASE}/residents/export", headers=AUTH, json={"sender_id": "tg:77"})
    data = exported.json()
    assert {p["what"] for p in data["proposals"]} == {"我家楼下加装晾衣架", "小区增设长椅"}
    assert data["votes"][0]["option"] == "同意" and data["votes"][0]["relation"] == "女儿"
    assert any("通过审核" in m["text"] for m in data["messages"])
    assert api.post(f"{BASE}/residents/export", json={"sender_id": "tg:77"}).status_code == 401

    done = api.post(
        f"{BASE}/residents/delete", headers=AUTH, json={"sender_id": "tg:77", "operator": "zhang"}
    ).json()
    assert done == {
        "proposals_cleared": 1,
        "proposals_unlinked": 1,
        "votes_unlinked": 1,
        "messages_deleted": 1,
    }
    after = api.post(f"{BASE}/residents/export", headers=AUTH, json={"sender_id": "tg:77"}).json()
    assert after == {"proposals": [], "votes": [], "messages": []}
    assert api.get(f"{BASE}/polls/{poll['number']}").json()["counts"] == [1, 0, 0]
    rows = {p["number"]: p for p in staff.client.get(f"{BASE}/proposals").json()}
    assert rows[pending["number"]]["what"] == "[已清除]"
    assert rows[approved["number"]]["what"] == "小区增设长椅"
    trail = staff.client.get(f"{BASE}/proposals/{pending['number']}/audit").json()
    assert trail[-1]["action"] == "privacy" and trail[-1]["actor"] == "privacy:zhang"


def test_the_hubs_privacy_request_covers_deliberation(api: TestClient, login) -> None:
    """The admin's one export / deletion of a resident (the case system's staff API) reaches this
    part too (core/resident_data.py): nobody has to know that 议事 keeps data of its own."""
    admin = login("lishu", "admin")
    api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={"what": "楼下空地装几张长椅", "resident_key": "tg:78", "channel": "telegram"},
    )
    exported = admin.client.get("/staff/api/residents/export", params={"sender_id": "tg:78"})
    assert exported.status_code == 200
    assert [p["what"] for p in exported.json()["deliberation"]["proposals"]] == [
        "楼下空地装几张长椅"
    ]

    done = admin.post("/staff/api/residents/delete", sender_id="tg:78")
    assert done.status_code == 200, done.text
    assert done.json()["other_parts"]["deliberation"]["proposals_cleared"] == 1
    again = admin.client.get("/staff/api/residents/export", params={"sender_id": "tg:78"})
    assert again.json()["deliberation"] == {"proposals": [], "votes": [], "messages": []}
