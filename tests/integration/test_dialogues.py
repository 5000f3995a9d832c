"""The typed conversations of issue 2, end to end: real Rasa + trained model, action server, hub.

Each test talks to Rasa's REST webhook as a resident would and then checks the case the hub
stored — exactly the expected fields, or that nothing was stored. What the residents say comes
from ``tests/heldout.py``: none of it is a training example (checked by
``tests/unit/test_heldout_overlap.py``), so these tests check understanding, not memory.
"""

from __future__ import annotations

import re

import pytest

from harness.stack import Stack, customs, texts, web_sender
from tests import heldout as h

pytestmark = pytest.mark.integration

CASE_NO = re.compile(r"[A-Z]{2}-\d{8}-\d{4}")


def only_case(stack: Stack, who: str) -> dict:
    """The single case of this sender (fails when there is not exactly one)."""
    found = stack.cases_of(who)
    assert len(found) == 1, found
    return found[0]


def case_no_in(reply: str) -> str:
    """The case number the bot told the resident."""
    m = CASE_NO.search(reply)
    assert m, f"no case number in: {reply}"
    return m.group(0)


def test_full_report_in_one_message_is_read_back_then_created(live_stack: Stack) -> None:
    who = web_sender()
    reply = texts(live_stack.say(who, h.ONE_SHOT_REPORT.format(phone="13812345678")))
    assert "您要反映：楼道灯，5号楼2单元" in reply and "对吗" in reply
    assert "13812345678" not in reply  # read back as a tail only
    assert live_stack.cases_of(who) == []  # nothing before the resident confirms

    done = texts(live_stack.say(who, h.CONFIRM))
    case = only_case(live_stack, who)
    assert case_no_in(done) == case["case_no"] and case["case_no"].startswith("BS-")
    assert case["type"] == "report"
    assert case["category"] == "corridor_light"
    assert case["location"]["building"] == "5" and case["location"]["unit"] == "2"
    assert case["location"]["room"] is None
    assert h.ONE_SHOT_DESCRIPTION_HAS in case["description"]
    assert "138" not in case["description"]
    assert case["urgency"] == "urgent"
    assert case["contact_masked"] == "138****5678" and case["contact_declined"] is False
    assert case["channel"] == "web"


def test_step_by_step_report_with_declined_phone(live_stack: Stack) -> None:
    who = web_sender()
    first = live_stack.say(who, h.START_REPORT)
    assert "什么问题" in texts(first)
    assert {"expect": "description"} in customs(first)
    assert "在哪里" in texts(live_stack.say(who, h.ELEVATOR_DESCRIPTION))
    assert "急不急" in texts(live_stack.say(who, h.ELEVATOR_LOCATION))
    assert "手机号" in texts(live_stack.say(who, h.NOT_URGENT))
    readback = texts(live_stack.say(who, h.DECLINE_PHONE))
    assert "电梯故障" in readback and "3号楼1单元" in readback and "不留电话" in readback
    live_stack.say(who, h.CONFIRM)
    case = only_case(live_stack, who)
    assert case["category"] == "elevator"
    assert (case["location"]["building"], case["location"]["unit"]) == ("3", "1")
    assert case["urgency"] == "normal"
    assert case["contact_declined"] is True and case["contact_masked"] is None
    assert h.ELEVATOR_DESCRIPTION_HAS in case["description"]


def test_correction_at_read_back_keeps_the_corrected_building(live_stack: Stack) -> None:
    who = web_sender()
    reply = texts(live_stack.say(who, h.WRONG_BUILDING_REPORT.format(phone="13912345678")))
    assert "3号楼2单元" in reply
    corrected = texts(live_stack.say(who, h.CORRECT_BUILDING))
    assert "5号楼2单元" in corrected and "对吗" in corrected
    live_stack.say(who, h.CONFIRM_AFTER_CORRECTION)
    case = only_case(live_stack, who)
    assert case["location"]["building"] == "5" and case["location"]["unit"] == "2"


def test_cancel_creates_nothing(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, h.START_REPORT_AGAIN)
    live_stack.say(who, h.STREETLIGHT_DESCRIPTION)
    reply = texts(live_stack.say(who, h.CANCEL))
    assert "取消" in reply
    assert live_stack.cases_of(who) == []
    # and the next message starts fresh rather than resuming the cancelled form
    assert "对吗" not in texts(live_stack.say(who, h.GREET_AFTER_CANCEL))


def test_service_for_a_family_member_lists_materials(live_stack: Stack) -> None:
    who = web_sender()
    first = texts(live_stack.say(who, h.SERVICE_FOR_MOTHER))
    assert "什么时候方便" in first
    assert "手机号" in texts(live_stack.say(who, h.SERVICE_TIME))
    readback = texts(live_stack.say(who, h.SERVICE_PHONE.format(phone="13912345678")))
    assert "高龄津贴" in readback and "为母亲办理" in readback and "身份证" in readback
    done = texts(live_stack.say(who, h.CONFIRM_SERVICE))
    assert "身份证" in done  # materials listed again with the number
    case = only_case(live_stack, who)
    assert case_no_in(done) == case["case_no"] and case["case_no"].startswith("FW-")
    assert case["type"] == "service"
    assert case["service_code"] == "elderly_allowance"
    assert case["applicant"] == "母亲"
    assert case["time_preference"] == h.SERVICE_TIME_IS
    assert case["contact_masked"] == "139****5678"


def test_emergency_skips_the_form(live_stack: Stack) -> None:
    who = web_sender()
    reply = texts(live_stack.say(who, h.GAS_EMERGENCY))
    assert "119" in reply and "不要开关" in reply
    case = only_case(live_stack, who)
    assert case["type"] == "emergency" and case["urgency"] == "emergency"
    assert case_no_in(reply) == case["case_no"]


def test_handoff_mid_form_creates_a_callback_with_what_was_said(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, h.START_REPORT)
    live_stack.say(who, h.NOISE_DESCRIPTION)
    reply = texts(live_stack.say(who, h.HUMAN_PLEASE))
    assert "人工" in reply and "联系您" in reply
    assert "手机号" in reply  # no phone yet: asked for one (issue 13)
    case = only_case(live_stack, who)
    assert case["type"] == "callback"
    assert h.NOISE_DESCRIPTION_HAS in case["description"]
    given = texts(live_stack.say(who, h.SERVICE_PHONE.format(phone="13912345678")))
    assert "尾号5678" in given and "工作人员" in given, given
    case = only_case(live_stack, who)  # the phone went to the same call-back
    assert case["type"] == "callback" and "5678" in str(case), case


def test_question_mid_form_is_answered_and_the_form_resumes(live_stack: Stack) -> None:
    who = web_sender()
    live_stack.say(who, h.START_REPORT_AGAIN)
    assert "在哪里" in texts(live_stack.say(who, h.GARBAGE_DESCRIPTION))
    answer = texts(live_stack.say(who, h.OPENING_HOURS_QUESTION))
    assert "接着刚才" in answer and "在哪里" in answer  # answered, then the same question again
    assert "急不急" in texts(live_stack.say(who, h.NORTH_GATE))
    live_stack.say(who, h.QUITE_URGENT)
    live_stack.say(who, h.PHONE_NOT_CONVENIENT)
    live_stack.say(who, h.CONFIRM_PLAIN)
    case = only_case(live_stack, who)
    assert case["category"] == "garbage"
    assert h.NORTH_GATE_HAS in (case["location"]["landmark"] or "")


def test_traditional_characters_are_understood(live_stack: Stack) -> None:
    who = web_sender()
    assert "什么问题" in texts(live_stack.say(who, h.START_REPORT_TRADITIONAL))
    reply = texts(live_stack.say(who, h.CORRIDOR_LIGHT_TRADITIONAL))
    assert "在哪里" not in reply  # the location was understood
    assert "急不急" in reply
    assert "算了" not in reply and "取消" in texts(live_stack.say(who, h.CANCEL_TRADITIONAL))
