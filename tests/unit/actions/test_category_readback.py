"""Issue 14 item 6: a problem word decides the category, not a place word (门口的垃圾 is 垃圾清运,
routed to 环卫), and a corrected place never leaves the old one in the description."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import AskConfirmed
from actions.form_logic import report_turn
from actions.forms import ValidateReportForm
from actions.parsing import parse_category, parse_location, restate_place
from core.taxonomy import category_by_code

DOMAIN = {
    "forms": {"report_form": {"required_slots": [
        "description", "category", "location", "urgency", "contact", "confirmed"]}},
    "slots": {},
}  # fmt: skip


def _tracker(
    text: str, intent: str, slots: dict | None = None, requested: str | None = None
) -> Tracker:
    return Tracker(
        sender_id="web:test",
        slots={"requested_slot": requested, **(slots or {})},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": text}],
        paused=False,
        followup_action=None,
        active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )


def _slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3号楼1单元门口的垃圾好几天没人清了", "garbage"),  # 单元门 is where, 垃圾 is what
        ("5号楼单元门口堆满了建筑垃圾", "garbage"),
        ("电梯里有人乱扔垃圾", "garbage"),
        ("楼梯上有狗屎，好几天了", "sanitation"),
        ("外墙上的空调滴水滴到楼下", "leak"),
        ("楼梯间的灯不亮", "corridor_light"),
        # a place word alone still names the category
        ("单元门关不上", "facilities"),
        ("电梯又停了", "elevator"),
        ("楼梯扶手松了", "facilities"),
    ],
)
def test_a_problem_word_outweighs_a_place_word(text: str, code: str) -> None:
    assert parse_category(text) == code


def test_garbage_at_the_unit_door_is_read_back_and_routed_as_garbage() -> None:
    text = "3号楼1单元门口的垃圾好几天没人清了"
    r = report_turn(text, None, {})
    assert r.updates["category"] == "garbage"
    category = category_by_code(r.updates["category"])
    assert category is not None and category.name == "垃圾清运" and category.department == "环卫"
    assert r.updates["location"]["building"] == "3" and r.updates["location"]["unit"] == "1"


async def test_read_back_after_the_first_message_names_the_garbage() -> None:
    slots = _slots(
        await ValidateReportForm().run(
            CollectingDispatcher(), _tracker("3号楼1单元门口的垃圾好几天没人清了", "report"), DOMAIN
        )
    )
    assert slots["category"] == "garbage"
    d = CollectingDispatcher()
    read_back = {**slots, "urgency": "normal", "contact": "declined"}
    await AskConfirmed().run(d, _tracker("", "report", read_back), DOMAIN)
    said = d.messages[0]["text"]
    assert said.startswith("您要反映：垃圾清运，3号楼1单元") and "房屋设施" not in said


@pytest.mark.parametrize(
    ("description", "correction", "expected"),
    [
        ("5号楼2单元的楼道灯全坏了", "不对，是6号楼", "6号楼2单元的楼道灯全坏了"),
        ("五号楼二单元的楼道灯全坏了", "不对，是6号楼", "6号楼二单元的楼道灯全坏了"),
        ("5号楼2单元301室卫生间漏水", "不对，是3单元302", "5号楼3单元302室卫生间漏水"),
        ("我在5栋2单元301，水管爆了", "是6栋不是5栋", "我在6栋2单元301，水管爆了"),
        ("5号楼门口的垃圾，15号楼那边没有", "不对，是6号楼", "6号楼门口的垃圾，15号楼那边没有"),
        ("楼道灯坏了", "不对，是6号楼", "楼道灯坏了"),  # no place in it: nothing to change
    ],
)
def test_restate_place(description: str, correction: str, expected: str) -> None:
    old = parse_location(description) or parse_location("5号楼2单元")
    assert old is not None
    new = parse_location(correction)
    assert new is not None
    merged = old.model_copy(update={k: v for k, v in new.model_dump().items() if v and k != "raw"})
    assert restate_place(description, old.model_dump(), merged) == expected


async def test_correcting_the_building_at_the_read_back_updates_the_description() -> None:
    said_first = _tracker("5号楼2单元的楼道灯全坏了，晚上黑漆漆的", "report")
    first = _slots(await ValidateReportForm().run(CollectingDispatcher(), said_first, DOMAIN))
    slots = {**first, "urgency": "urgent", "contact": "declined"}
    events = await ValidateReportForm().run(
        CollectingDispatcher(), _tracker("不对，是6号楼", "inform", slots, requested="confirmed"),
        DOMAIN)  # fmt: skip
    got = _slots(events)
    assert got["location"]["building"] == "6" and got["location"]["unit"] == "2"
    assert got["description"] == "6号楼2单元的楼道灯全坏了，晚上黑漆漆的"
    d = CollectingDispatcher()
    await AskConfirmed().run(d, _tracker("", "inform", {**slots, **got}), DOMAIN)
    said = d.messages[0]["text"]
    assert "6号楼2单元" in said and "5号楼" not in said


def test_urgency_is_read_back_in_the_words_of_its_buttons() -> None:
    """The resident pressed 很急 or 不急: the read-back says the same words (not 比较急)."""
    from actions.ask import AskUrgency
    from actions.readback import report_summary

    titles = [b["title"] for b in AskUrgency().buttons()]
    for code, word in (("urgent", "很急"), ("normal", "不急")):
        said = report_summary(
            {"category": "corridor_light", "location": {"building": "5"}, "urgency": code}
        )
        assert word in said and word in titles


def test_the_place_is_read_back_once_and_a_long_description_short() -> None:
    from actions.readback import READBACK_DESCRIPTION_CHARS, report_summary

    said = report_summary(
        {
            "category": "corridor_light",
            "location": {"building": "5", "unit": "2"},
            "description": "5号楼2单元的楼道灯坏了",
            "urgency": "urgent",
        }
    )
    assert said == "您要反映：楼道灯，5号楼2单元，楼道灯坏了，很急，不留电话。对吗？"
    long = report_summary({"category": "elevator", "description": "电梯" * 400})
    assert len(long) < READBACK_DESCRIPTION_CHARS + 40 and "……" in long
