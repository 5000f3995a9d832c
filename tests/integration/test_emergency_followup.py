"""Issue 14 on the real stack (Rasa with the trained model, action server, hub): after an
emergency, the place and phone the resident says next go to the same urgent case and reach staff
at once; the case number comes with an access code that alone opens the resident's view.

The resident's words come from ``tests/heldout.py``: none is an NLU training example.
"""

from __future__ import annotations

import re

import httpx
import pytest

from harness.stack import Stack, customs, texts, web_sender
from tests import heldout as h

pytestmark = pytest.mark.integration

CASE_NO = re.compile(r"JJ-\d{8}-\d{4}")
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3}")


def staff_alerts(stack: Stack, case_no: str) -> list[str]:
    with stack.hub() as hub:
        response = hub.get("/api/outbox", params={"channel": "staff", "limit": 500})
        response.raise_for_status()
        return [m["text"] for m in response.json() if m["case_no"] == case_no]


def test_place_and_phone_after_an_emergency_join_the_same_urgent_case(live_stack: Stack) -> None:
    who = web_sender()
    first = live_stack.say(who, h.EMERGENCY_GAS_SMELL)
    said = texts(first)
    assert "119" in said and "不要开关" in said  # the safety advice comes first
    case_no = CASE_NO.search(said).group(0)
    assert "在哪里" in said and {"expect": "location"} in customs(first)
    (case,) = live_stack.cases_of(who)
    assert case["case_no"] == case_no and case["type"] == "emergency"
    assert case["location"] is None
    assert any("还没说" in a for a in staff_alerts(live_stack, case_no))

    placed = texts(live_stack.say(who, h.EMERGENCY_PLACE))
    assert "这属于哪一类问题" not in placed  # not a new report
    assert h.EMERGENCY_PLACE_IS in placed and "值班人员" in placed
    assert "手机号" in placed  # the phone is asked next (may be declined)
    (case,) = live_stack.cases_of(who)
    assert case["case_no"] == case_no
    assert case["location"]["building"] == "17" and case["location"]["unit"] == "2"
    assert case["location"]["room"] == "602"
    alerts = staff_alerts(live_stack, case_no)
    assert any(h.EMERGENCY_PLACE_IS in a and "【紧急】" in a for a in alerts)

    phoned = texts(live_stack.say(who, h.EMERGENCY_PHONE.format(phone="13766668888")))
    assert "尾号8888" in phoned and "安全的地方" in phoned
    (case,) = live_stack.cases_of(who)
    assert case["contact_masked"] == "137****8888"
    with live_stack.hub() as hub:
        history = [h["text"] for h in hub.get(f"/api/cases/{case_no}/history").json()]
    assert f"居民补充了地点：{h.EMERGENCY_PLACE_IS}" in history
    assert "居民留了联系电话（137****8888）" in history

    again = texts(live_stack.say(who, h.START_REPORT_AGAIN))  # then a new report starts as usual
    assert "什么问题" in again


def test_the_phone_can_be_declined_and_the_access_code_opens_the_slip(live_stack: Stack) -> None:
    who = web_sender()
    first = live_stack.say(who, h.EMERGENCY_GAS_KITCHEN)
    said = texts(first)
    case_no = CASE_NO.search(said).group(0)
    code = CODE.search(said).group(0)  # the resident's secret, in their chat
    assert next(c for c in customs(first) if "case_no" in c)["access_code"] == code

    assert "手机号" in texts(live_stack.say(who, h.EMERGENCY_PLACE_AGAIN))
    closing = texts(live_stack.say(who, h.EMERGENCY_NO_PHONE))
    assert "安全的地方" in closing
    (case,) = live_stack.cases_of(who)
    assert case["location"]["building"] == "12" and case["contact_masked"] is None

    slip = httpx.get(f"{live_stack.hub_url}/kiosk/case/{case_no}/print", params={"t": code})
    assert slip.status_code == 200 and h.EMERGENCY_PLACE_AGAIN_IS in slip.text
    for wrong in ({}, {"t": "2345-6789-ABCD-EFGH"}):
        page = httpx.get(f"{live_stack.hub_url}/kiosk/case/{case_no}/print", params=wrong)
        assert page.status_code == 404 and "12号楼" not in page.text
    view = httpx.get(f"{live_stack.hub_url}/api/resident/cases/{case_no}",
                     headers={"X-Case-Access": code})  # fmt: skip
    assert view.status_code == 200 and view.json()["case"]["case_no"] == case_no
