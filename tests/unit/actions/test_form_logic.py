"""What one message changes in the 报事 / 办事 forms (pure dialogue rules)."""

from __future__ import annotations

import pytest

from actions.form_logic import report_turn, service_turn


def test_one_message_fills_every_detail_it_has() -> None:
    r = report_turn(
        "你好，5号楼2单元的楼道灯全坏了，晚上黑漆漆的，挺急的，电话13812345678", None, {}
    )
    assert r.updates["category"] == "corridor_light"
    assert r.updates["location"]["building"] == "5" and r.updates["location"]["unit"] == "2"
    assert r.updates["urgency"] == "urgent" and r.updates["contact"] == "13812345678"
    assert "13812345678" not in r.updates["description"]


def test_bare_request_fills_nothing() -> None:
    assert report_turn("我要报事", None, {}).updates == {}


def test_correction_at_read_back_changes_only_what_was_said() -> None:
    slots = {
        "category": "elevator",
        "location": {
            "building": "3",
            "unit": "2",
            "room": None,
            "landmark": None,
            "raw": "3号楼2单元",
        },
        "contact": "declined",
    }
    r = report_turn("不对，是5号楼不是3号楼", "confirmed", slots, "inform")
    assert r.updates["location"]["building"] == "5" and r.updates["location"]["unit"] == "2"
    assert r.updates["confirmed"] is None  # read back again
    assert "category" not in r.updates


def test_plain_no_at_read_back_asks_what_is_wrong_then_takes_the_answer() -> None:
    r = report_turn("不对", "confirmed", {"category": "leak"}, "deny")
    assert r.updates == {"correcting": True, "confirmed": None}
    r2 = report_turn(
        "电话是13912345678", "confirmed", {"category": "leak", "correcting": True}, "inform"
    )
    assert r2.updates["contact"] == "13912345678" and r2.updates["correcting"] is None


def test_yes_confirms_but_yes_with_new_details_is_a_correction() -> None:
    assert report_turn("对", "confirmed", {}, "affirm").updates == {"confirmed": True}
    r = report_turn("对，不过是6号楼", "confirmed", {"location": {"building": "5"}}, "affirm")
    assert r.updates.get("confirmed") is None and r.updates["location"]["building"] == "6"


def test_existing_values_are_not_overwritten_without_a_correction() -> None:
    r = report_turn("7号楼", "urgency", {"location": {"building": "5"}}, "inform")
    assert "location" not in r.updates


def test_phone_answers() -> None:
    assert report_turn("不留", "contact", {}, "deny").updates == {"contact": "declined"}
    bad = report_turn("1381234", "contact", {}, "inform")
    assert bad.updates == {} and bad.problem and "号码" in bad.problem


def test_a_wrong_number_is_said_once_and_asked_once() -> None:
    # the form asks for the phone again right after this line (with 不留电话): the line only says
    # what was wrong, or the resident reads two questions in a row (seen in Telegram)
    bad = report_turn("1381234", "contact", {}, "inform")
    assert bad.problem and "11位" in bad.problem
    assert "不留" not in bad.problem and "？" not in bad.problem and "请再" not in bad.problem


def test_location_in_words_is_kept_as_a_landmark() -> None:
    r = report_turn("就在那个老槐树底下", "location", {}, "inform")
    assert r.updates["location"]["landmark"] == "就在那个老槐树底下"


def test_service_first_message_and_homophone() -> None:
    r = service_turn("帮我妈申请高零津贴", None, {})
    assert r.updates == {"service_type": "elderly_allowance", "applicant": "母亲"}
    assert service_turn("帮家人办", "applicant", {}, "inform").updates["applicant"] == "家属"
    assert (
        service_turn("明天上午", "time_preference", {}, "inform").updates["time_preference"]
        == "明天上午"
    )


def test_service_correction_of_applicant() -> None:
    r = service_turn(
        "不对，是帮我爸办",
        "confirmed",
        {"service_type": "senior_card", "applicant": "母亲"},
        "inform",
    )
    assert r.updates["applicant"] == "父亲" and r.updates["confirmed"] is None


def test_a_correction_while_asked_something_else_is_not_taken_as_no() -> None:
    slots = {"location": {"building": "8", "unit": "1", "room": "302", "landmark": None, "raw": ""}}
    r = report_turn("错了，是2单元", "urgency", slots, "inform")
    assert r.updates["location"]["unit"] == "2" and "urgency" not in r.updates
    r = report_turn("不对，是2单元", "contact", slots, "inform")
    assert "contact" not in r.updates


def test_more_precise_location_is_added_but_never_silently_replaced() -> None:
    slots = {
        "location": {
            "building": None,
            "unit": None,
            "room": None,
            "landmark": "屋头楼上",
            "raw": "",
        }
    }
    r = report_turn("就是…那个…十号楼…三单元…五零二", "urgency", slots, "inform")
    loc = r.updates["location"]
    assert (loc["building"], loc["unit"], loc["room"], loc["landmark"]) == (
        "10",
        "3",
        "502",
        "屋头楼上",
    )
    assert (
        "location"
        not in report_turn("7号楼", "urgency", {"location": {"building": "5"}}, "inform").updates
    )


def test_wanting_a_service_does_not_say_who_it_is_for() -> None:
    assert "applicant" not in service_turn("我要办事", None, {}).updates
    assert service_turn("给我老伴办", "applicant", {}, "inform").updates["applicant"] == "配偶"


def test_phone_declined_in_the_first_message_and_dialect_self() -> None:
    r = report_turn("东门路灯坏了，电话不留了", None, {})
    assert r.updates["contact"] == "declined" and r.updates["category"] == "streetlight"
    assert service_turn("俺自己", "applicant", {}, "inform").updates["applicant"] == "本人"


@pytest.mark.parametrize("first", ["嗯…俺家楼上一直往下滴水", "我们家门口的下水道堵了"])
def test_home_said_in_passing_is_no_address_so_the_form_asks_where(first: str) -> None:
    # a grid worker cannot find "俺家楼上" (a kiosk visitor is anonymous): the place is asked
    r = report_turn(first, None, {}, "report")
    assert "location" not in r.updates
    assert r.updates["description"]
    # said as the answer to "在哪里？" it is taken (the form never traps a resident)
    r = report_turn("就在我家楼上", "location", {"description": first}, "inform")
    assert r.updates["location"]["landmark"]
    # an address said in passing is taken as before
    r = report_turn("俺家10号楼3单元502楼上往下滴水", None, {}, "report")
    assert (r.updates["location"]["building"], r.updates["location"]["room"]) == ("10", "502")
