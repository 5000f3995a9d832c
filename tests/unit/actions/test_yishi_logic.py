"""议事 dialogue rules (actions/yishi_logic.py): proposals, vote choices, households, digits."""

from __future__ import annotations

import pytest

from actions.forms import NOT_UNDERSTOOD
from actions.yishi_logic import (
    NO_REASON,
    choose_poll,
    household_missing,
    parse_last4,
    parse_option,
    parse_scope,
    proposal_text,
    proposal_turn,
    scope_text,
    vote_turn,
)

OPTIONS = ["同意", "不同意", "弃权"]
POLL = {"number": 3, "question": "是否在5号楼加装电梯", "options": OPTIONS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想提个建议", ""),
        ("我有个建议", ""),
        ("嗯 就是 我有个小建议", ""),
        ("我想提个建议，小区多装几个充电桩", "小区多装几个充电桩"),
        ("建议小区多装几个充电桩", "小区多装几个充电桩"),
        ("我建议把垃圾房挪远一点", "把垃圾房挪远一点"),
        ("咱们小区是不是可以搞个老年活动室", "咱们小区是不是可以搞个老年活动室"),
    ],
)
def test_proposal_text_drops_only_the_announcement(text: str, expected: str) -> None:
    assert proposal_text(text) == expected


def test_proposal_text_is_capped() -> None:
    assert len(proposal_text("建议" + "多种树" * 800)) == 1000


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("整个小区", {"scope": "community", "place": None}),
        ("大家的事", {"scope": "community", "place": None}),
        ("5号楼的", {"scope": "building", "place": "5"}),
        ("就我们十二栋", {"scope": "building", "place": "12"}),
        ("第二网格", {"scope": "grid", "place": "G2"}),
        ("不知道", None),
    ],
)
def test_parse_scope(text: str, scope: dict | None) -> None:
    assert parse_scope(text) == scope


def test_scope_text() -> None:
    assert scope_text({"scope": "building", "place": "5"}) == "5号楼"
    assert scope_text({"scope": "grid", "place": "G2"}) == "第2网格"
    assert scope_text(None) == "整个小区"


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("同意", "同意"),
        ("不同意", "不同意"),
        ("我反对", "不同意"),
        ("我投赞成票", "同意"),
        ("弃权吧", "弃权"),
        ("第二个", "不同意"),
        ("3", "弃权"),
        ("对", "同意"),
        ("随便", "弃权"),
        ("今天天气", None),
        ("", None),
    ],
)
def test_parse_option(text: str, option: str | None) -> None:
    assert parse_option(text, OPTIONS) == option


def test_parse_option_with_the_polls_own_words() -> None:
    options = ["装在东边", "装在西边"]
    assert parse_option("西边吧", options) is None  # not an option's full words
    assert parse_option("装在西边", options) == "装在西边"
    assert parse_option("第一个", options) == "装在东边"


@pytest.mark.parametrize(
    ("text", "last4"),
    [("5678", "5678"), ("五六七八", "5678"), ("13912345678", "5678"), ("56", None), ("", None)],
)
def test_parse_last4(text: str, last4: str | None) -> None:
    assert parse_last4(text) == last4


def test_choose_poll_by_number_or_words() -> None:
    choices = [
        {"number": 3, "question": "是否在5号楼加装电梯", "options": OPTIONS},
        {"number": 4, "question": "中心广场晚上几点停止跳舞", "options": OPTIONS},
    ]
    assert choose_poll("第二个", choices)["number"] == 4
    assert choose_poll("加装电梯那个", choices)["number"] == 3
    assert choose_poll("随便说说", choices) is None


def test_a_proposal_said_in_full_fills_what_and_where() -> None:
    result = proposal_turn("我建议5号楼门口装个雨棚", None, {}, "propose")
    assert result.updates["proposal_what"] == "5号楼门口装个雨棚"
    assert result.updates["proposal_where"] == {"scope": "building", "place": "5"}
    assert result.updates["confirmed"] is None  # nothing left over skips the read-back


def test_a_bare_announcement_leaves_the_proposal_to_be_asked() -> None:
    result = proposal_turn("我想提个建议", None, {"proposal_what": "旧的"}, "propose")
    assert result.updates["proposal_what"] is None


def test_the_reason_may_be_skipped() -> None:
    assert proposal_turn("不用了", "proposal_why", {}, "deny").updates == {
        "proposal_why": NO_REASON
    }
    assert proposal_turn("电动车太多了", "proposal_why", {}, "inform").updates == {
        "proposal_why": "电动车太多了"
    }


def test_proposal_confirmation_and_correction() -> None:
    assert proposal_turn("对", "confirmed", {}, "affirm").updates["confirmed"] is True
    fixed = proposal_turn("不对，是6号楼的", "confirmed", {}, "deny").updates
    assert fixed["proposal_where"] == {"scope": "building", "place": "6"}
    assert proposal_turn("不对", "confirmed", {}, "deny").updates == {"correcting": True}
    again = proposal_turn("多装几个路灯", "confirmed", {"correcting": True}, "inform").updates
    assert again == {"proposal_what": "多装几个路灯", "correcting": False}


def test_vote_opening_keeps_a_choice_said_with_it() -> None:
    slots = {"vote_poll": POLL}
    assert vote_turn("我投反对票", None, slots, "vote").updates == {"vote_option": "不同意"}
    assert vote_turn("我要投票", None, slots, "vote").updates == {}
    opening = vote_turn("我替我妈投同意，5号楼2单元301", None, slots, "vote").updates
    assert opening["vote_option"] == "同意"
    assert opening["vote_relation"] == "母亲"
    assert opening["vote_household"] == {"building": "5", "unit": "2", "room": "301"}


def test_vote_household_is_asked_until_complete() -> None:
    slots = {"vote_poll": POLL}
    partial = vote_turn("5号楼", "vote_household", slots, "inform")
    assert partial.updates["vote_household"] == {"building": "5"}
    assert "几单元" in (partial.problem or "")
    assert household_missing(partial.updates["vote_household"]) == ["unit", "room"]
    slots["vote_partial"] = {"building": "5"}
    done = vote_turn("2单元301", "vote_household", slots, "inform")
    assert done.updates["vote_household"] == {"building": "5", "unit": "2", "room": "301"}
    assert done.problem is None


def test_vote_digits_and_confirmation() -> None:
    slots = {"vote_poll": POLL, "vote_option": "同意"}
    assert vote_turn("1234", "vote_last4", slots, "inform").updates == {"vote_last4": "1234"}
    wrong = vote_turn("12", "vote_last4", slots, "inform")
    # the form asks again itself ("请告诉我家里登记的手机号最后四位"): a line of its own before
    # it said the same thing twice in a row (seen in Telegram)
    assert wrong.updates == {} and wrong.problem is None
    assert "四位" in NOT_UNDERSTOOD["vote_last4"]
    forgot = vote_turn("不记得了", "vote_last4", slots, "inform")
    assert forgot.updates == {} and forgot.problem and "算了" in forgot.problem
    assert "服务中心" in forgot.problem and "？" not in forgot.problem
    assert vote_turn("对的", "confirmed", slots, "affirm").updates["confirmed"] is True
    assert vote_turn("不对，我投弃权", "confirmed", slots, "deny").updates["vote_option"] == "弃权"
    redo = vote_turn("不对", "confirmed", slots, "deny").updates
    assert redo["vote_option"] is None  # chosen again, with the buttons
