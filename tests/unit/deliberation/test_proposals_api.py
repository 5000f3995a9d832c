"""Proposals through the REST API: kind refusals, screening, moderation, audit, outbox."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.unit.deliberation.conftest import AUTH

URL = "/api/deliberation/proposals"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _propose(api: TestClient, what: str, **extra: object) -> dict:
    body = {
        "what": what,
        "why": "晚上太黑",
        "scope": "building",
        "place": "5",
        "channel": "telegram",
        "resident_key": "tg:501",
    }
    body.update(extra)
    r = api.post(URL, headers=AUTH, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_empty_and_5000_character_proposals_get_a_kind_chinese_4xx(api: TestClient) -> None:
    for body in (
        {"what": ""},
        {"what": "   "},
        {},
        {"what": "灯" * 5000},
        {"what": "加装路灯", "why": "黑" * 5000},
    ):
        r = api.post(URL, headers=AUTH, json=body)
        assert 400 <= r.status_code < 500, (body.keys(), r.status_code)
        assert CJK.search(r.json()["detail"]), r.text
    long = api.post(URL, headers=AUTH, json={"what": "灯" * 5000}).json()["detail"]
    assert "5000" in long and "1000" in long


def test_malformed_bodies_are_refused_in_chinese(api: TestClient) -> None:
    for body in (
        {"what": "路灯", "scope": "planet"},
        {"what": 5},
        {"what": "路灯", "scope": "grid"},
    ):
        r = api.post(URL, headers=AUTH, json=body)
        assert r.status_code == 422, r.text
        assert CJK.search(r.json()["detail"]) and "value" not in r.json()["detail"], r.text
    assert api.post(URL, headers=AUTH, content=b"{not json").status_code == 422


def test_channels_need_the_service_token(api: TestClient) -> None:
    assert api.post(URL, json={"what": "路灯"}).status_code == 401
    assert api.get(URL).status_code == 401


def test_screening_masks_numbers_and_flags_abuse_and_duplicates(api: TestClient, login) -> None:
    first = _propose(api, "5号楼东门加装路灯", why="我电话13812345678")
    second = _propose(api, "建议5号楼东门加装路灯，这帮混蛋快点", resident_key="web:abc")
    admin = login("wangzr", "admin")
    rows = {p["number"]: p for p in admin.client.get(URL).json()}
    assert "13812345678" not in rows[first["number"]]["why"]
    assert "138****5678" in rows[first["number"]]["why"] and rows[first["number"]]["had_numbers"]
    flagged = rows[second["number"]]
    assert flagged["abusive_words"] == ["混蛋"]
    assert flagged["duplicate_of"] == first["number"] and flagged["duplicate_score"] >= 0.5
    assert flagged["grid_code"] == "G1" and flagged["status_label"] == "待审核"


def test_idempotent_submission(api: TestClient) -> None:
    a = _propose(api, "加装充电桩", idempotency_key="k-1")
    b = _propose(api, "加装充电桩", idempotency_key="k-1")
    assert a["number"] == b["number"]


def test_moderation_is_audited_and_the_proposer_is_told(api: TestClient, login) -> None:
    a = _propose(api, "小区东门加装路灯", resident_key="tg:1")["number"]
    b = _propose(api, "东门路灯太暗要加装", resident_key="kiosk:k9")["number"]
    c = _propose(api, "把花坛改成停车位", resident_key="web:w3")["number"]
    staff = login("zhang", "staff")
    assert staff.post(f"{URL}/{a}/approve").status_code == 200
    assert staff.post(f"{URL}/{a}/approve").status_code == 409  # already done
    merged = staff.post(f"{URL}/{b}/merge", into=a)
    assert merged.status_code == 200 and merged.json()["merged_into"] == a
    empty = staff.post(f"{URL}/{c}/decline", reason="  ")
    assert empty.status_code == 422 and CJK.search(empty.json()["detail"])
    declined = staff.post(f"{URL}/{c}/decline", reason="花坛属于公共绿地，不能改作停车")
    assert declined.json()["status_label"] == "未通过审核"
    trail = staff.client.get(f"{URL}/{c}/audit").json()
    assert [e["action"] for e in trail] == ["screened", "declined"]
    assert trail[-1]["actor"] == "staff:zhang" and "公共绿地" in trail[-1]["reason"]
    assert [e["action"] for e in staff.client.get(f"{URL}/{b}/audit").json()] == [
        "screened",
        "merged",
    ]

    texts = {}
    for channel in ("telegram", "kiosk", "web"):
        for m in api.get(
            "/api/deliberation/outbox", headers=AUTH, params={"channel": channel}
        ).json():
            texts[(channel, m["recipient"])] = m["text"]
    assert "通过审核" in texts[("telegram", "1")]
    assert f"第{a}号" in texts[("kiosk", "k9")]
    assert "公共绿地" in texts[("web", "w3")]
    ids = [
        m["id"]
        for m in api.get("/api/deliberation/outbox", headers=AUTH, params={"channel": "web"}).json()
    ]
    assert api.post("/api/deliberation/outbox/ack", headers=AUTH, json={"ids": ids}).json() == {
        "acked": 1
    }
    assert api.get("/api/deliberation/outbox", headers=AUTH, params={"channel": "web"}).json() == []
    mine = api.get(f"{URL}/{c}/mine", headers=AUTH, params={"resident_key": "web:w3"})
    assert mine.json()["decline_reason"] == "花坛属于公共绿地，不能改作停车"
    assert (
        api.get(f"{URL}/{c}/mine", headers=AUTH, params={"resident_key": "web:x"}).status_code
        == 404
    )


def test_grid_workers_moderate_only_their_grids(api: TestClient, login) -> None:
    in_g1 = _propose(api, "5号楼加装扶手", place="5")["number"]  # building 5 is in G1
    in_g3 = _propose(api, "12号楼修补路面", place="12")["number"]  # building 12 is in G3
    whole = _propose(api, "全小区增设休息座椅", scope="community", place=None)["number"]
    worker = login("li", "grid_worker", ["G1"])
    seen = {p["number"] for p in worker.client.get(URL).json()}
    assert seen == {in_g1}
    assert worker.post(f"{URL}/{in_g3}/approve").status_code == 404
    assert worker.post(f"{URL}/{whole}/approve").status_code == 404
    assert worker.post(f"{URL}/{in_g1}/approve").status_code == 200


def test_changes_through_a_login_need_the_csrf_token(api: TestClient, login) -> None:
    number = _propose(api, "加装信报箱")["number"]
    staff = login("zhao", "staff")
    r = staff.client.post(f"{URL}/{number}/approve")
    assert r.status_code == 403 and CJK.search(r.json()["detail"])


def test_a_kiosk_proposer_is_not_promised_a_message_they_cannot_get(api) -> None:  # type: ignore[no-untyped-def]
    kiosk = {"what": "楼下放几张长椅", "channel": "kiosk", "resident_key": "kiosk:ab12cd34"}
    said = api.post("/api/deliberation/proposals", json=kiosk, headers=AUTH).json()["message"]
    assert "大屏上公布" in said and "会告诉您" not in said
    tg = {**kiosk, "channel": "telegram", "resident_key": "tg:42", "what": "多装几个充电桩"}
    said = api.post("/api/deliberation/proposals", json=tg, headers=AUTH).json()["message"]
    assert "审核后会告诉您结果" in said
