"""Issue 13 item 2 through the real stack (Rasa + trained model, action server, hub): a resident
of the web chat / REST channel checks a case reported at the kiosk by its number plus the last
4 digits of the phone that reported it, sees only what a resident may see, and answers
部分解决 there. What the resident says comes from ``tests/heldout.py``.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pytest

from core.config import HubSettings
from harness.stack import Stack, customs, texts, web_sender
from tests import heldout as h

pytestmark = pytest.mark.integration

KIOSK_PHONE = "13566667777"
TAIL = KIOSK_PHONE[-4:]


def kiosk_case(stack: Stack) -> str:
    """A case reported at the kiosk (its own sender, not this conversation's)."""
    body = {
        "type": "report", "category": "corridor_light", "description": "楼道灯不亮",
        "location": {"building": "5", "unit": "2"}, "channel": "kiosk",
        "sender_id": f"kiosk:{secrets.token_hex(6)}", "contact_phone": KIOSK_PHONE,
    }  # fmt: skip
    with stack.hub() as hub:
        response = hub.post("/api/cases", json=body)
        response.raise_for_status()
        return str(response.json()["case_no"])


def resolve(stack: Stack, case_no: str) -> None:
    """A staff member marks the case 已办结 (through the case system's lifecycle)."""
    from sqlalchemy import select

    from cases import lifecycle
    from cases.db import make_engine, make_session_factory, session_scope
    from cases.models import Case
    from cases.statuses import Status

    engine = make_engine(HubSettings(data_dir=stack.data_dir, _env_file=None).resolved_cases_url())
    try:
        with session_scope(make_session_factory(engine)) as session:
            case = session.scalars(select(Case).where(Case.case_no == case_no)).one()
            lifecycle.change_status(
                session=session, case=case, new_status=Status.RESOLVED,
                now=datetime.now(UTC), actor="test", note="灯泡已更换",
            )  # fmt: skip
    finally:
        engine.dispose()


def case_status(stack: Stack, case_no: str) -> str:
    with stack.hub() as hub:
        return str(hub.get(f"/api/cases/{case_no}").json()["status"])


def test_a_kiosk_case_checked_and_answered_in_the_web_chat(live_stack: Stack) -> None:
    no = kiosk_case(live_stack)
    who = web_sender()
    asked = texts(live_stack.say(who, h.STATUS_REPORTED_AT_KIOSK))
    assert "编号" in asked and "手机号后四位" in asked, asked

    found = live_stack.say(who, h.STATUS_NUMBER_THEN_PHONE_BARE % (no[-4:], TAIL))
    said = texts(found)
    assert f"查到了。编号 {no}" in said and "楼道灯" in said and "5号楼2单元" in said, said
    assert "预计" in said and "办理经过" in said
    assert KIOSK_PHONE not in said and "135****" not in said
    assert not re.search(r"[A-Za-z]", re.sub(r"[A-Z]{2}-\d{8}-\d{4}", "", said))
    assert live_stack.cases_of(who) == []  # looking creates nothing

    resolve(live_stack, no)
    shown = live_stack.say(who, h.STATUS_NUMBER_AND_PHONE % (no[-4:], TAIL))
    assert "问题解决了吗" in texts(shown), texts(shown)
    buttons = {b["title"]: b["payload"] for m in shown for b in m.get("buttons") or []}
    assert list(buttons) == ["解决了", "部分解决", "没解决"]
    assert {"status_case": no} in customs(shown)

    partly = buttons["部分解决"]  # the button's own words, as the page sends them when pressed
    answered = texts(live_stack.say(who, partly))
    assert "继续处理" in answered, answered
    assert case_status(live_stack, no) == "in_progress"


def test_wrong_digits_tell_nothing_and_guessing_stops(live_stack: Stack) -> None:
    no = kiosk_case(live_stack)
    who = web_sender()
    wrong_phone = texts(live_stack.say(who, h.STATUS_NUMBER_AND_PHONE % (no[-4:], "0000")))
    unknown = f"{(int(no[-4:]) + 500) % 10000:04d}"
    wrong_number = texts(live_stack.say(who, h.STATUS_NUMBER_AND_PHONE % (unknown, TAIL)))
    assert wrong_phone == wrong_number and "没有查到" in wrong_phone and no not in wrong_phone
    for tail in ("1111", "2222"):
        live_stack.say(who, h.STATUS_NUMBER_AND_PHONE % (no[-4:], tail))
    blocked = texts(live_stack.say(who, h.STATUS_NUMBER_AND_PHONE % (no[-4:], TAIL)))
    assert "不能再查" in blocked and no not in blocked, blocked
    other = texts(live_stack.say(web_sender(), h.STATUS_NUMBER_AND_PHONE % (no[-4:], TAIL)))
    assert f"查到了。编号 {no}" in other, other


def test_bare_phone_digits_are_an_answer(live_stack: Stack) -> None:
    """The digits the assistant asked for, sent alone, are looked up (a wrong tail is "没有查到"),
    never "这个我帮不上忙" (the NLU once read "1111" as out of scope and the answer was lost)."""
    no = kiosk_case(live_stack)
    who = web_sender()
    live_stack.say(who, h.STATUS_REPORTED_AT_KIOSK)
    asked = texts(live_stack.say(who, no[-4:]))
    assert "后四位" in asked and "帮不上" not in asked, asked
    wrong = f"{(int(TAIL) + 1) % 10000:04d}"
    refused = texts(live_stack.say(who, wrong))
    assert "没有查到" in refused and "帮不上" not in refused, refused
