"""Polls through the REST API: replacing votes, the close, unknown polls, thresholds, CSV."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from cases.clock import ManualClock
from tests.unit.deliberation.conftest import AUTH, ballot

POLLS = "/api/deliberation/polls"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(staff, **body: object) -> dict:  # noqa: ANN001
    payload = {"question": "1号楼是否加装电梯", "scope": "building", "scope_codes": ["1"]}
    payload.update(body)
    r = staff.post(POLLS, **payload)
    assert r.status_code == 201, r.text
    return r.json()


def _vote(api: TestClient, poll: int, body: dict):  # noqa: ANN202
    return api.post(f"{POLLS}/{poll}/votes", headers=AUTH, json=body)


def test_a_second_vote_from_the_same_household_replaces_the_first(api: TestClient, login) -> None:
    poll = _open(login("wangzr", "admin"))
    assert poll["eligible_households"] == 20 and poll["options"] == ["同意", "不同意", "弃权"]
    first = _vote(api, poll["number"], ballot("1", "1", "101", "同意"))
    assert first.status_code == 200 and first.json()["replaced"] is False
    # the daughter votes for her mother from another phone and channel: same household
    second = _vote(
        api,
        poll["number"],
        ballot(
            "1", "1", "101", "不同意", relation="女儿", channel="kiosk", resident_key="kiosk:s1"
        ),
    )
    assert second.status_code == 200, second.text
    assert second.json()["replaced"] is True and "改为：不同意" in second.json()["message"]
    result = api.get(f"{POLLS}/{poll['number']}").json()
    assert result["counts"] == [0, 1, 0] and result["households"] == 1
    by_number = _vote(api, poll["number"], ballot("1", "1", "101", "3"))
    assert by_number.json()["option"] == "弃权"
    assert api.get(f"{POLLS}/{poll['number']}").json()["counts"] == [0, 0, 1]


def test_the_relation_of_who_voted_for_an_elder_is_recorded(api: TestClient, hub, login) -> None:  # noqa: ANN001
    from deliberation.db import session_scope
    from deliberation.models import Vote

    poll = _open(login("wangzr", "admin"))
    _vote(api, poll["number"], ballot("1", "2", "302", "同意", relation="儿子"))
    with session_scope(hub.state.deliberation.sessions) as session:
        vote = session.query(Vote).one()
        assert (vote.relation, vote.confirmed_by, vote.channel) == ("儿子", "phone", "telegram")


def test_a_vote_after_the_close_is_refused_kindly(
    api: TestClient, login, clock: ManualClock
) -> None:
    poll = _open(login("wangzr", "admin"))
    assert _vote(api, poll["number"], ballot("1", "1", "101", "同意")).status_code == 200
    clock.advance(days=8)  # default: closes after 7 days
    late = _vote(api, poll["number"], ballot("1", "1", "101", "不同意"))
    assert late.status_code == 409
    assert "已经在" in late.json()["detail"] and "结束" in late.json()["detail"]
    assert api.get(f"{POLLS}/{poll['number']}").json()["counts"] == [1, 0, 0]


def test_a_vote_before_the_opening_is_refused_kindly(api: TestClient, login, clock) -> None:  # noqa: ANN001
    opens = (clock.now() + timedelta(days=1)).isoformat()
    poll = _open(login("wangzr", "admin"), opens_at=opens)
    r = _vote(api, poll["number"], ballot("1", "1", "101", "同意"))
    assert r.status_code == 409 and "还没开始" in r.json()["detail"]


def test_unknown_polls_and_bad_ballots_are_refused_in_chinese(api: TestClient, login) -> None:
    r = _vote(api, 999, ballot("1", "1", "101", "同意"))
    assert r.status_code == 404 and "没有找到这个投票" in r.json()["detail"]
    assert api.get(f"{POLLS}/999").status_code == 404
    poll = _open(login("wangzr", "admin"))["number"]
    cases = {
        "wrong digits": (ballot("1", "1", "101", "同意", phone_last4="0000"), 422, "后四位"),
        "no option": (ballot("1", "1", "101", "也许"), 422, "同意、不同意、弃权"),
        "not registered": (ballot("1", "9", "909", "同意"), 422, "住户登记"),
        "out of scope": (ballot("7", "1", "101", "同意"), 409, "不在范围内"),
        "missing room": ({"building": "1", "unit": "1", "option": "同意"}, 422, "房号"),
    }
    for name, (body, code, words) in cases.items():
        r = _vote(api, poll, body)
        assert r.status_code == code, (name, r.text)
        assert words in r.json()["detail"], (name, r.text)
    assert api.get(f"{POLLS}/{poll}").json()["participants"] == 0


def test_guessing_the_phone_digits_stops(api: TestClient, login) -> None:
    poll = _open(login("wangzr", "admin"))["number"]
    for _ in range(5):
        assert (
            _vote(api, poll, ballot("1", "1", "102", "同意", phone_last4="9999")).status_code == 422
        )
    r = _vote(api, poll, ballot("1", "1", "102", "同意"))
    assert r.status_code == 429 and "服务中心" in r.json()["detail"]


def test_staff_at_the_centre_confirm_a_household_without_digits(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    poll = _open(staff)["number"]
    r = staff.post(
        f"{POLLS}/{poll}/votes/centre",
        building="1",
        unit="2",
        room="501",
        option="同意",
        relation="老伴",
    )
    assert r.status_code == 200, r.text
    assert api.get(f"{POLLS}/{poll}").json()["counts"] == [1, 0, 0]


def test_thresholds_on_a_seeded_poll(api: TestClient, login, clock: ManualClock) -> None:
    staff = login("wangzr", "admin")
    ordinary = _open(staff, threshold="ordinary")["number"]
    major = _open(staff, threshold="major", question="1号楼使用维修资金更换水泵")["number"]
    rooms = [(u, f"{f}0{r}") for u in ("1", "2") for f in range(1, 6) for r in (1, 2)]
    votes = ["同意"] * 10 + ["不同意"] * 3 + ["弃权"] * 1  # 14 of 20 households take part
    for (unit, room), option in zip(rooms, votes, strict=False):
        for poll in (ordinary, major):
            assert _vote(api, poll, ballot("1", unit, room, option)).status_code == 200
    first = api.get(f"{POLLS}/{ordinary}").json()
    assert first["counts"] == [10, 3, 1] and first["eligible_households"] == 20
    assert first["turnout"] == 0.7
    # 14 ≥ 2/3 · 20; 10 > 14 / 2 → passes as an ordinary matter
    assert first["threshold"] == {
        "rule": "ordinary",
        "rule_label": first["threshold"]["rule_label"],
        "participation_met": True,
        "approval_met": True,
        "met": True,
    }
    second = api.get(f"{POLLS}/{major}").json()["threshold"]
    assert (second["participation_met"], second["approval_met"], second["met"]) == (
        True,
        False,
        False,
    )
    # one household switches to 同意: 11 · 4 = 44 ≥ 14 · 3 = 42 → a major matter passes
    _vote(api, major, ballot("1", *rooms[10], "同意"))
    assert api.get(f"{POLLS}/{major}").json()["threshold"]["met"] is True
    # turnout below two thirds fails however many agree
    few = _open(staff, threshold="ordinary", question="1号楼楼道刷漆")["number"]
    for unit, room in rooms[:13]:
        _vote(api, few, ballot("1", unit, room, "同意"))
    verdict = api.get(f"{POLLS}/{few}").json()["threshold"]
    assert (verdict["participation_met"], verdict["met"]) == (False, False)


def test_opening_refuses_bad_polls_in_chinese(api: TestClient, login, clock) -> None:  # noqa: ANN001
    staff = login("wangzr", "admin")
    past = (clock.now() - timedelta(hours=1)).isoformat()
    for body in (
        {"options": ["同意"]},
        {"options": ["a", "b", "c", "d", "e"]},
        {"question": ""},
        {"closes_at": past},
        {"scope_codes": ["99"]},
        {"eligibility": "resident", "threshold": "major"},
        {"closes_at": "2026-12-01T10:00:00"},
        {"proposal_id": 42},
    ):
        payload = {"question": "问", "scope": "building", "scope_codes": ["1"], **body}
        r = staff.post(POLLS, **payload)
        assert 400 <= r.status_code < 500, (body, r.text)
        assert CJK.search(r.json()["detail"]), r.text


def test_grid_workers_open_polls_only_in_their_grids(api: TestClient, login) -> None:
    worker = login("li", "grid_worker", ["G1"])
    assert worker.post(POLLS, question="问", scope="building", scope_codes=["1"]).status_code == 201
    assert (
        worker.post(POLLS, question="问", scope="building", scope_codes=["12"]).status_code == 409
    )
    assert worker.post(POLLS, question="问", scope="community").status_code == 409


def test_csv_export_has_counts_and_no_personal_data(api: TestClient, login, clock) -> None:  # noqa: ANN001
    staff = login("wangzr", "admin")
    poll = _open(staff, threshold="ordinary")["number"]
    _vote(api, poll, ballot("1", "1", "101", "同意", relation="女儿"))
    _vote(api, poll, ballot("1", "2", "502", "不同意"))
    r = staff.client.get(f"{POLLS}/{poll}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    text = r.text
    assert "同意,1" in text and "不同意,1" in text and "参与户数,2" in text
    for personal in ("101", "502", "女儿", "tg:", "1111", "1102", "telegram"):
        assert personal not in text, personal
    assert api.get(f"{POLLS}/{poll}/export.csv").status_code == 401


def test_close_announce_and_results_reach_the_participants(api: TestClient, login) -> None:
    staff = login("wangzr", "admin")
    poll = _open(staff)["number"]
    _vote(api, poll, ballot("1", "1", "101", "同意"))
    _vote(api, poll, ballot("1", "1", "102", "同意", channel="kiosk", resident_key="kiosk:k7"))
    assert staff.post(f"{POLLS}/{poll}/announce").status_code == 409  # still open
    assert staff.post(f"{POLLS}/{poll}/close").json()["state"] == "已结束"
    assert _vote(api, poll, ballot("1", "1", "103", "同意")).status_code == 409
    assert staff.post(f"{POLLS}/{poll}/announce").status_code == 200
    assert staff.post(f"{POLLS}/{poll}/announce").status_code == 409  # once
    tg = api.get("/api/deliberation/outbox", headers=AUTH, params={"channel": "telegram"}).json()
    kiosk = api.get("/api/deliberation/outbox", headers=AUTH, params={"channel": "kiosk"}).json()
    assert [m["recipient"] for m in tg] == ["11101"] and [m["recipient"] for m in kiosk] == ["k7"]
    assert "同意 2 票" in tg[0]["text"] and tg[0]["ref"] == f"poll:{poll}"
