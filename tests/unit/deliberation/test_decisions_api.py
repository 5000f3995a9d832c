"""Decisions: 采纳 → 办理中 → 已完成 with notes told to participants; a case spawned through the
case system's API, linked by its number."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.deliberation.conftest import AUTH, ballot

BASE = "/api/deliberation"


def _closed_poll_from_a_proposal(api: TestClient, staff) -> tuple[int, int]:  # noqa: ANN001
    r = api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={
            "what": "3号楼门口加装无障碍坡道",
            "why": "轮椅进出不方便",
            "scope": "building",
            "place": "3",
            "channel": "telegram",
            "resident_key": "tg:proposer",
        },
    )
    proposal = r.json()["number"]
    assert staff.post(f"{BASE}/proposals/{proposal}/approve").status_code == 200
    poll = staff.post(f"{BASE}/polls", proposal_id=proposal)
    assert poll.status_code == 201, poll.text
    assert poll.json()["question"] == "3号楼门口加装无障碍坡道"
    assert poll.json()["scope_label"] == "3号楼"
    number = poll.json()["number"]
    api.post(f"{BASE}/polls/{number}/votes", headers=AUTH, json=ballot("3", "1", "101", "同意"))
    staff.post(f"{BASE}/polls/{number}/close")
    return proposal, number


def test_decision_progress_is_told_and_a_case_is_spawned_once(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    proposal, poll = _closed_poll_from_a_proposal(api, staff)
    r = staff.post(f"{BASE}/decisions", poll_id=poll, adopted=True, note="社区采纳，下周施工")
    assert r.status_code == 201, r.text
    decision = r.json()
    assert decision["status_label"] == "采纳" and decision["proposal"] == proposal
    assert staff.post(f"{BASE}/decisions", poll_id=poll).status_code == 409  # one per poll

    spawned = staff.post(f"{BASE}/decisions/{decision['number']}/case")
    assert spawned.status_code == 200, spawned.text
    case_no = spawned.json()["case_no"]
    assert case_no and case_no.startswith("BS-")
    again = staff.post(f"{BASE}/decisions/{decision['number']}/case").json()
    assert again["case_no"] == case_no
    case = api.get(f"/api/cases/{case_no}", headers=AUTH).json()
    assert f"社区议事第{decision['number']}号决定" in case["description"]
    assert case["location"]["building"] == "3"

    step = staff.post(
        f"{BASE}/decisions/{decision['number']}/progress", status="in_progress", note="已联系施工队"
    )
    assert step.json()["status_label"] == "办理中"
    done = staff.post(
        f"{BASE}/decisions/{decision['number']}/progress", status="done", note="坡道已建成"
    )
    assert done.json()["status_label"] == "已完成"
    back = staff.post(
        f"{BASE}/decisions/{decision['number']}/progress", status="in_progress", note="再改"
    )
    assert back.status_code == 409
    notes = [n["text"] for n in done.json()["notes"]]
    assert notes[0] == "社区采纳，下周施工" and f"已转为工单 {case_no}" in notes
    msgs = api.get(f"{BASE}/outbox", headers=AUTH, params={"channel": "telegram"}).json()
    to_voter = [m["text"] for m in msgs if m["recipient"] == "31101"]
    to_proposer = [m["text"] for m in msgs if m["recipient"] == "proposer"]
    assert any("坡道已建成" in t for t in to_voter) and any("已完成" in t for t in to_proposer)
    listed = api.get(f"{BASE}/decisions").json()
    assert listed[0]["case_no"] == case_no


def test_no_decision_while_the_poll_is_open(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    poll = staff.post(f"{BASE}/polls", question="问", scope="building", scope_codes=["2"]).json()
    r = staff.post(f"{BASE}/decisions", poll_id=poll["number"])
    assert r.status_code == 409 and "还没结束" in r.json()["detail"]


def test_a_rejected_decision_spawns_no_case(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    _, poll = _closed_poll_from_a_proposal(api, staff)
    decision = staff.post(
        f"{BASE}/decisions", poll_id=poll, adopted=False, note="未达到门槛"
    ).json()
    assert decision["status_label"] == "未采纳"
    assert staff.post(f"{BASE}/decisions/{decision['number']}/case").status_code == 409


def test_the_register_keeps_only_masked_phones(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    r = staff.post(
        f"{BASE}/households",
        building="21",
        unit="1",
        room="101",
        grid_code="G4",
        phones=["13912345678"],
    )
    assert r.status_code == 201 and r.json()["phones"] == ["139****5678"]
    worker = login("li", "grid_worker", ["G1"])
    assert (
        worker.post(
            f"{BASE}/households", building="22", unit="1", room="101", grid_code="G4", phones=[]
        ).status_code
        == 409
    )
    listed = worker.client.get(f"{BASE}/households", params={"building": "21"}).json()
    assert listed == []


def test_the_sweep_tells_participants_the_outcome_once(api: TestClient, hub, login, clock) -> None:  # noqa: ANN001
    from deliberation.api import sweep_once

    staff = login("wangzr", "admin")
    poll = staff.post(
        f"{BASE}/polls",
        question="4号楼更换门禁",
        scope="building",
        scope_codes=["4"],
        threshold="ordinary",
    ).json()["number"]
    api.post(f"{BASE}/polls/{poll}/votes", headers=AUTH, json=ballot("4", "1", "101", "同意"))
    state = hub.state.deliberation
    assert sweep_once(state) == 0  # still open
    clock.advance(days=8)
    assert sweep_once(state) == 1 and sweep_once(state) == 0
    msgs = api.get(f"{BASE}/outbox", headers=AUTH, params={"channel": "telegram"}).json()
    assert len(msgs) == 1 and "同意 1 票" in msgs[0]["text"]
    assert "参与人数未达到三分之二" in msgs[0]["text"] and "未通过" in msgs[0]["text"]
    assert api.get(f"{BASE}/polls/{poll}").json()["outcome_announced"] is True


def test_a_decision_on_an_approved_proposal_tells_merged_proposers(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    first = api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={"what": "小区东门加装路灯", "resident_key": "tg:a", "channel": "telegram"},
    ).json()["number"]
    second = api.post(
        f"{BASE}/proposals",
        headers=AUTH,
        json={"what": "东门路灯太暗", "resident_key": "web:b", "channel": "web"},
    ).json()["number"]
    staff.post(f"{BASE}/proposals/{first}/approve")
    staff.post(f"{BASE}/proposals/{second}/merge", into=first)
    assert staff.post(f"{BASE}/decisions", proposal_id=second).status_code == 409  # merged
    decision = staff.post(f"{BASE}/decisions", proposal_id=first, note="物业本周安装")
    assert decision.status_code == 201 and decision.json()["poll"] is None
    web = api.get(f"{BASE}/outbox", headers=AUTH, params={"channel": "web"}).json()
    assert any("物业本周安装" in m["text"] for m in web)
