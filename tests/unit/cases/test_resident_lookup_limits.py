"""The dialogue channels' case look-up (number + phone last 4, issue 13 item 2): the hub limits
misses per sender and per channel, shows only what a resident may see, and lets the sender
that found a case answer 解决了 / 部分解决 / 没解决 for it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cases import lifecycle
from cases.clock import ManualClock
from cases.crud import get_case
from cases.guesses import PER_CHANNEL, PER_SENDER, LookupGuard, channel_key
from cases.statuses import Status

AUTH = {"Authorization": "Bearer test-service-token"}


def _kiosk_case(api: TestClient, **fields: object) -> dict:
    body = {
        "type": "report", "category": "corridor_light", "description": "5号楼2单元楼道灯不亮",
        "location": {"building": "5", "unit": "2"}, "channel": "kiosk",
        "sender_id": "kiosk:s1", "contact_phone": "13566667777",
    }  # fmt: skip
    body.update(fields)
    response = api.post("/api/cases", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _look(api: TestClient, number: str, tail: str, sender: str | None):  # noqa: ANN202
    body = {"number": number, "phone_tail": tail}
    if sender is not None:
        body["sender_id"] = sender
    return api.post("/api/resident/lookup", json=body, headers=AUTH)


def _unknown(no: str) -> str:
    return f"{(int(no[-4:]) + 1) % 10000:04d}"


def test_misses_are_limited_per_sender_and_a_hit_does_not_count(
    api: TestClient, clock: ManualClock
) -> None:
    no = _kiosk_case(api)["case_no"]
    assert _look(api, no[-4:], "7777", "tg:1").status_code == 200  # a hit costs nothing
    for _ in range(PER_SENDER):
        missed = _look(api, _unknown(no), "7777", "tg:1")
        assert missed.status_code == 404
    blocked = _look(api, no[-4:], "7777", "tg:1")  # even the right answer now
    assert blocked.status_code == 429
    detail = blocked.json()["detail"]
    assert "不能再查" in detail and not re.search(r"[A-Za-z]", detail)
    assert _look(api, no[-4:], "7777", "tg:2").status_code == 200  # another resident
    assert _look(api, no[-4:], "7777", None).status_code == 200  # the kiosk limits itself
    clock.advance(minutes=16)
    assert _look(api, no[-4:], "7777", "tg:1").status_code == 200


def test_a_new_web_conversation_does_not_reset_the_channel_window(
    api: TestClient, clock: ManualClock
) -> None:
    no = _kiosk_case(api)["case_no"]
    for i in range(PER_CHANNEL):
        # a fresh cookie per try: a new sender each time
        assert _look(api, _unknown(no), "7777", f"web:new{i}").status_code == 404
    assert _look(api, no[-4:], "7777", "web:another").status_code == 429
    assert _look(api, no[-4:], "7777", "tg:9").status_code == 200  # other channels go on
    clock.advance(minutes=16)
    assert _look(api, no[-4:], "7777", "web:another").status_code == 200


def test_unknown_number_and_wrong_phone_look_the_same_and_internal_notes_stay_inside(
    api: TestClient, db, clock: ManualClock
) -> None:
    case = _kiosk_case(api)
    no = case["case_no"]
    with db() as session:
        stored = get_case(session=session, case_no=no)
        lifecycle.add_note(session=session, case=stored, now=clock.now(), actor="wang",
                           text="内部备注：这户上次投诉过物业")  # fmt: skip
    wrong_phone = _look(api, no[-4:], "0000", "web:a")
    unknown = _look(api, _unknown(no), "7777", "web:a")
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()
    found = _look(api, no, "7777", "web:a")
    assert found.status_code == 200
    view = found.json()
    assert view["case"]["case_no"] == no and view["case"]["access_code"] is None
    assert "13566667777" not in found.text and "内部备注" not in found.text
    assert view["case"]["contact_masked"] == "135****7777"


def test_the_sender_that_found_a_case_may_confirm_it(api: TestClient, db, clock) -> None:
    no = _kiosk_case(api)["case_no"]
    with db() as session:
        lifecycle.change_status(session=session, case=get_case(session=session, case_no=no),
                                new_status=Status.RESOLVED, now=clock.now(), actor="t",
                                note="灯换好了")  # fmt: skip

    def confirm(sender: str, rating: str = "partial"):  # noqa: ANN202
        return api.post(f"/api/cases/{no}/confirm", headers=AUTH,
                        json={"sender_id": sender, "rating": rating})  # fmt: skip

    assert confirm("tg:5").status_code == 403  # not found by this sender yet
    assert _look(api, no[-4:], "0000", "tg:5").status_code == 404  # a wrong phone grants nothing
    assert confirm("tg:5").status_code == 403
    assert _look(api, no[-4:], "7777", "tg:5").status_code == 200
    done = confirm("tg:5")
    assert done.status_code == 200, done.text
    assert done.json()["case"]["status"] == "in_progress" and "继续处理" in done.json()["message"]
    assert confirm("tg:6").status_code == 403  # only the sender that found it
    history = api.get(f"/api/cases/{no}/history", headers=AUTH).json()
    assert any("部分解决" in h["text"] for h in history)


def test_a_grant_expires() -> None:
    from datetime import UTC, datetime, timedelta

    guard = LookupGuard()
    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    guard.grant("web:x", "BS-20261203-0098", now)
    assert guard.granted("web:x", "BS-20261203-0098", now + timedelta(hours=23))
    assert not guard.granted("web:x", "BS-20261203-0099", now)
    assert not guard.granted(None, "BS-20261203-0098", now)
    assert not guard.granted("web:x", "BS-20261203-0098", now + timedelta(hours=25))
    assert channel_key("tg:1") == "tg" and channel_key("odd") == "other"
