"""Bad input through the real Rasa REST channel (shared ``live_stack``; nothing is killed here).

Every odd message gets a Chinese reply (never a 500), the conversation still works afterwards,
and injection text in the free-text slots is stored unchanged as data and shown escaped in the
staff console.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx
import pytest

from harness.stack import ROOT, Stack, texts
from tests import heldout as h

pytestmark = pytest.mark.integration

SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE cases; --"


def sender() -> str:
    """A fresh resident for each conversation."""
    return f"web:{uuid.uuid4().hex[:12]}"


def has_chinese(text: str) -> bool:
    """True when the text contains at least one CJK character."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def post_raw(stack: Stack, who: str, message: str) -> httpx.Response:
    """Post to the REST webhook without raising, so a 500 is visible to the test."""
    return httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": who, "message": message},
        timeout=120,
    )


def assert_conversation_works(stack: Stack, who: str) -> None:
    """A one-message report still goes on to the next question (the phone number)."""
    reply = texts(stack.say(who, h.ONE_SHOT_LIGHT_NOT_URGENT))
    assert "手机号" in reply or "对吗" in reply, reply


ODD = [
    pytest.param("   ", id="blank"),
    pytest.param("\x00\x01\x07\x1b[31m\x7f\u200b\ufeff", id="control-chars"),
    pytest.param("😀😀👍🔥🙏", id="emoji-only"),
    pytest.param(SQL, id="sql"),
    pytest.param(SCRIPT, id="script"),
    # ~100 KB: the NLU cuts messages to 500 characters before classifying (nlu/addons)
    pytest.param("楼" * 35_000, id="100KB"),
]


@pytest.mark.parametrize("message", ODD)
def test_odd_messages_get_a_chinese_reply_and_the_conversation_still_works(
    live_stack: Stack, message: str
) -> None:
    who = sender()
    r = post_raw(live_stack, who, message)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    reply = texts(r.json())
    assert has_chinese(reply), r.json()
    # the same resident can still report normally
    assert_conversation_works(live_stack, who)


@pytest.mark.parametrize("message", ["", "   ", "\n"], ids=["empty", "spaces", "newline"])
def test_empty_message_gets_a_kind_reask_and_stores_nothing(
    live_stack: Stack, message: str
) -> None:
    """Rasa's REST channel is given nothing to read (the kiosk/bot fronts drop empties first):
    a 200 with a Chinese reply (the "didn't catch that" help), no case, and the conversation
    still works afterwards."""
    who = sender()
    r = post_raw(live_stack, who, message)
    assert r.status_code == 200, r.text[:300]
    replies = r.json()
    assert replies and has_chinese(texts(replies)), replies
    assert cases_of(live_stack, who) == []
    assert_conversation_works(live_stack, who)


def cases_of(stack: Stack, who: str) -> list[dict]:
    """Every case the hub stored for this sender."""
    with stack.hub() as hub:
        r = hub.get("/api/cases", params={"sender_id": who, "limit": 50})
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="module")
def staff_login(live_stack: Stack) -> httpx.Client:
    """A logged-in admin of the staff console (created with ``python -m cases create-user``)."""
    name, password = f"inj{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    env = {**live_stack.env, "CASES_NEW_PASSWORD": password}
    done = subprocess.run(
        [sys.executable, "-m", "cases", "create-user", "--role", "admin", "--username", name],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    client = httpx.Client(base_url=live_stack.hub_url, timeout=30)
    r = client.post("/staff/login", data={"username": name, "password": password})
    assert r.status_code == 303, r.text[:300]
    return client


def test_injection_in_free_text_slots_is_stored_as_data_and_escaped_in_console(
    live_stack: Stack, staff_login: httpx.Client
) -> None:
    who = sender()
    first = texts(live_stack.say(who, h.FAULT_REPORT_OPENING))
    assert "什么问题" in first
    description = f"{h.LIFT_BUTTONS_DEAD}{SCRIPT}{SQL}"
    assert "在哪里" in texts(live_stack.say(who, description))
    assert "急不急" in texts(live_stack.say(who, h.FAULT_ELEVATOR_PLACE))
    assert "手机号" in texts(live_stack.say(who, h.FAULT_NOT_URGENT))
    readback = texts(live_stack.say(who, h.FAULT_NO_PHONE))
    assert "对吗" in readback  # (chat text is plain text: each front renders it escaped)
    live_stack.say(who, h.FAULT_CONFIRM)
    found = cases_of(live_stack, who)
    assert len(found) == 1, found
    case = found[0]
    assert SCRIPT in case["description"] and SQL in case["description"]  # unchanged, as data

    page = staff_login.get(f"/staff/cases/{case['case_no']}")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert "&lt;script&gt;alert(" in html
    assert SCRIPT not in html and not re.search(r"<script>alert", html)
    assert len(cases_of(live_stack, who)) == 1  # "DROP TABLE" did nothing


def test_injection_in_the_time_preference_slot(
    live_stack: Stack, staff_login: httpx.Client
) -> None:
    """Script text as the time answer: either kept as data (and escaped in the console) or
    refused with a Chinese re-ask that leaves the form where it was."""
    who = sender()
    transcript = [texts(live_stack.say(who, h.SERVICE_FOR_MUM))]
    assert "什么时候方便" in transcript[-1]
    transcript.append(texts(live_stack.say(who, f"{h.DAY_AFTER_TOMORROW_AFTERNOON}{SCRIPT}")))
    assert has_chinese(transcript[-1]), transcript
    if "什么时候方便" in transcript[-1]:  # refused: the form still waits for the time
        transcript.append(texts(live_stack.say(who, h.DAY_AFTER_TOMORROW_AFTERNOON)))
    if "手机号" in transcript[-1]:
        transcript.append(texts(live_stack.say(who, "13912345678")))
    assert "对吗" in transcript[-1], transcript
    transcript.append(texts(live_stack.say(who, h.CONFIRM_SERVICE_PLAIN)))
    found = cases_of(live_stack, who)
    assert len(found) == 1, transcript
    page = staff_login.get(f"/staff/cases/{found[0]['case_no']}")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    if "<script>" in (found[0].get("time_preference") or ""):
        assert "&lt;script&gt;" in page.text


def test_an_empty_or_5000_character_proposal_gets_a_kind_answer(live_stack: Stack) -> None:
    who = sender()
    assert "您有什么建议" in texts(live_stack.say(who, h.PROPOSE_START))
    blank = post_raw(live_stack, who, "   ")
    assert blank.status_code == 200 and "建议" in texts(blank.json()), blank.text
    huge = post_raw(live_stack, who, h.PROPOSAL_WHAT * 334)  # 5,010 characters
    assert huge.status_code == 200, huge.text
    reply = texts(huge.json())
    assert "比较长" in reply and "整个小区，还是哪栋楼" in reply, reply
    live_stack.say(who, h.PROPOSAL_SCOPE)
    readback = texts(live_stack.say(who, h.PROPOSAL_WHY))
    assert "……" in readback and len(readback) < 300, readback  # read back short, kept whole
