"""Issue 14 item 6 through the real stack: garbage at a unit's door is read back and routed as
垃圾清运, and a building corrected at the read-back is corrected in the description as well."""

from __future__ import annotations

import pytest

from harness.stack import Stack, texts, web_sender
from tests import heldout as h

pytestmark = pytest.mark.integration


def test_garbage_at_the_unit_door_is_garbage_and_the_corrected_building_reaches_the_description(
    live_stack: Stack,
) -> None:
    who = web_sender()
    first = texts(live_stack.say(who, h.GARBAGE_AT_UNIT_DOOR))
    assert "急不急" in first  # what, where: understood from the one message
    live_stack.say(who, h.NOT_URGENT)
    read_back = texts(live_stack.say(who, h.DECLINE_PHONE))
    assert "垃圾清运" in read_back and "房屋设施" not in read_back
    assert "3号楼1单元" in read_back and "对吗" in read_back
    corrected = texts(live_stack.say(who, h.WRONG_BUILDING_SAID))
    assert "4号楼1单元" in corrected and "3号楼" not in corrected and "对吗" in corrected
    live_stack.say(who, h.CONFIRM)
    (case,) = live_stack.cases_of(who)
    assert case["category"] == "garbage" and case["location"]["building"] == "4"
    assert "4号楼1单元" in case["description"] and "3号楼" not in case["description"]
