"""Parsers that turn residents' words into slot values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actions.numbers import chinese_numbers_to_digits
from actions.parsing import (
    clean_description,
    declines_contact,
    is_no,
    is_substantive,
    is_yes,
    parse_applicant,
    parse_case_no,
    parse_case_tail,
    parse_category,
    parse_location,
    parse_phone,
    parse_rating,
    parse_service,
    parse_time_preference,
    parse_urgency,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五号楼二单元", "5号楼2单元"),
        ("三百零一室", "301室"),
        ("三零二", "302"),
        ("二十三栋", "23栋"),
        ("等一下，一直漏水", "等一下，一直漏水"),
        ("乱七八糟的", "乱七八糟的"),
    ],
)
def test_chinese_numbers(text: str, expected: str) -> None:
    assert chinese_numbers_to_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "building", "unit", "room", "landmark"),
    [
        ("5号楼2单元的楼道灯全坏了", "5", "2", None, None),
        ("五号楼二单元的电梯坏了", "5", "2", None, None),
        ("3栋301漏水", "3", None, "301", None),
        ("三号楼四单元三零二", "3", "4", "302", None),
        ("12幢1单元1102室", "12", "1", "1102", None),
        ("3-2-501", "3", "2", "501", None),
        ("東門那邊的路燈壞了", None, None, None, "东门那边"),
        ("菜市场旁边", None, None, None, "菜市场旁边"),
        ("不对，是5号楼不是3号楼", "5", None, None, None),
        ("不是3号楼，是7号楼", "7", None, None, None),
    ],
)
def test_location(text: str, building, unit, room, landmark) -> None:  # type: ignore[no-untyped-def]
    loc = parse_location(text)
    assert loc is not None
    assert (loc.building, loc.unit, loc.room, loc.landmark) == (building, unit, room, landmark)


@pytest.mark.parametrize("text", ["楼道灯坏了", "我要报事", "挺急的", "楼上天天吵"])
def test_no_location(text: str) -> None:
    assert parse_location(text) is None


def test_location_raw_never_keeps_the_phone() -> None:
    loc = parse_location("5号楼2单元灯坏了，电话13812345678")
    assert loc is not None and "13812345678" not in (loc.raw or "")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("5号楼2单元的楼道灯全坏了", "corridor_light"),
        ("小区东门的路灯坏了", "streetlight"),
        ("电梯又坏了，门关不上", "elevator"),
        ("我家卫生间天花板一直在漏水", "leak"),
        ("楼上天天晚上装修，吵得睡不着觉", "noise"),
        ("有人在楼道里飞线充电", "ebike_charging"),
        ("樓上往下扔東西", "falling_objects"),
        ("垃圾桶满了没人收", "garbage"),
        ("你好", None),
    ],
)
def test_category(text: str, code: str | None) -> None:
    assert parse_category(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("帮我妈申请高龄津贴", "elderly_allowance"),
        ("高零津贴", "elderly_allowance"),  # speech-recognition homophone
        ("我要办居主证明", "residence_certificate"),
        ("想给我爸办个老年卡", "senior_card"),
        ("申請低保", "subsistence_allowance"),
        ("今天天气不错", None),
    ],
)
def test_service(text: str, code: str | None) -> None:
    assert parse_service(text) == code


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("电话13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("幺三八一二三四五六七八", "13812345678"),
        ("号码是010-12345678", "01012345678"),
        ("1381234", None),
        ("5号楼2单元", None),
    ],
)
def test_phone(text: str, phone: str | None) -> None:
    assert parse_phone(text) == phone


@given(st.text(max_size=200))
def test_parsers_never_crash_on_any_text(text: str) -> None:
    for parser in (
        parse_location,
        parse_phone,
        parse_category,
        parse_service,
        parse_urgency,
        parse_applicant,
        parse_time_preference,
        parse_case_no,
        parse_case_tail,
        parse_rating,
    ):
        parser(text)
    assert len(clean_description(text)) <= 2000


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_valid_mobile_is_found_in_a_sentence(phone: str) -> None:
    assert parse_phone(f"我的电话是{phone}，谢谢") == phone


def test_contact_decline_urgency_applicant_time() -> None:
    assert (
        declines_contact("不留了")
        and declines_contact("不方便留电话")
        and not declines_contact("13812345678")
    )
    assert (
        parse_urgency("挺急的") == "urgent"
        and parse_urgency("不急") == "normal"
        and parse_urgency("灯坏了") is None
    )
    assert parse_applicant("帮我妈申请") == "母亲" and parse_applicant("我自己") == "本人"
    assert parse_applicant("给我老伴办") == "配偶"
    assert parse_time_preference("明天上午") == "明天上午"
    assert parse_time_preference("随时都行") == "随时都可以"
    assert parse_time_preference("5号楼") is None


@pytest.mark.parametrize("said", ["电话就别留了", "电话不太方便给", "号码就不留了吧"])
def test_phone_declined_in_everyday_words(said: str) -> None:
    assert declines_contact(said) and parse_phone(said) is None


@pytest.mark.parametrize(
    ("said", "urgency"),
    [
        ("不用太着急", "normal"),  # not "着急" → urgent
        ("也不太着急，有空来看看就行", "normal"),
        ("别着急，慢慢修", "normal"),
        ("挺极的", "urgent"),  # 挺急的 as the recogniser writes it
        ("很极", "urgent"),
        ("极少用电梯", None),
    ],
)
def test_urgency_in_everyday_words_and_as_heard(said: str, urgency: str | None) -> None:
    assert parse_urgency(said) == urgency


def test_yes_no_rating_case_numbers() -> None:
    assert is_yes("对") and is_yes("对的。") and is_yes("嗯") and not is_yes("不对")
    assert is_no("不对，是5号楼") and not is_no("对")
    assert parse_rating("解决了") == "resolved" and parse_rating("没解决，还是漏") == "unresolved"
    assert parse_rating("部分解决") == "partial"
    assert parse_case_no("bs 20261121 0042 到哪了") == "BS-20261121-0042"
    assert parse_case_tail("尾号0042的进度") == "0042"
    assert parse_case_tail("我的电话13812345678") is None


def test_description_and_substance() -> None:
    assert clean_description("你好，那个，楼道灯坏了，电话13812345678") == "楼道灯坏了"
    assert not is_substantive("我要报事") and not is_substantive("我想反映个问题")
    assert is_substantive("电梯坏了")


@pytest.mark.parametrize(
    ("text", "building", "unit", "room"),
    [
        ("三楼走廊的灯坏了", None, None, None),  # a floor, not a building
        ("5楼2单元", "5", "2", None),
        ("不是201是202", None, None, "202"),
        ("6号房", None, None, None),
    ],
)
def test_floors_rooms_and_bare_numbers(text: str, building, unit, room) -> None:  # type: ignore[no-untyped-def]
    loc = parse_location(text)
    got = (loc.building, loc.unit, loc.room) if loc else (None, None, None)
    assert got == (building, unit, room)


def test_a_not_a_questions_and_fillers() -> None:
    from actions.parsing import is_substantive, looks_like_question

    assert looks_like_question("社区服务中心礼拜六上不上班啊")
    assert looks_like_question("你们明天在不在")
    assert not looks_like_question("不不不")
    assert not is_substantive("你好，有个事情想跟社区反映一下")
    assert is_substantive("楼道灯坏了")


def test_colloquial_parents_are_applicants() -> None:
    from actions.parsing import parse_applicant

    assert parse_applicant("给我家老爷子办") == "父亲"
    assert parse_applicant("帮我家老太太申请") == "母亲"


@pytest.mark.parametrize(
    "said",
    [
        "还不算急",
        "算不上急",
        "没有那么着急",
        "不是特别急",
        "不咋急",
        "不太要紧",
        "等两天也行",
        "倒也不急",
    ],
)
def test_not_pressing_said_in_everyday_words_is_not_urgent(said: str) -> None:
    # each holds 急 (or names no hurry) after a negation: read back as 很急 before
    assert parse_urgency(said) == "normal"


@pytest.mark.parametrize("said", ["急得不得了", "不赶紧修要出事的", "急死人了", "别急坏了老人"])
def test_pressing_words_with_a_negation_nearby_stay_urgent(said: str) -> None:
    assert parse_urgency(said) == "urgent"


@pytest.mark.parametrize("said", ["腿脚不行了，能派个人到我家来给办吗", "让人上咱家来一趟行不"])
def test_come_to_my_home_in_everyday_words_is_the_home_visit_service(said: str) -> None:
    assert parse_service(said) == "home_visit"
    assert parse_service("我想办高龄津贴，你们别上我家来") == "elderly_allowance"


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("下礼拜一上午", "下礼拜一上午"),  # was read back as 礼拜一上午: which Monday?
        ("不对，是下礼拜二", "下礼拜二"),
        ("下星期三下午吧", "下星期三下午"),
        ("下个礼拜五", "下个礼拜五"),
        ("这个星期六上午", "这个星期六上午"),
        ("下周三下午", "下周三下午"),
        ("礼拜一上午", "礼拜一上午"),
        ("周一到周五都行", "周一到周五"),  # was 周一周五: two days, not five
        ("明天上午或者后天下午", "明天上午或者后天下午"),
        ("明天上午，后天也行", "明天上午、后天"),
    ],
)
def test_next_weeks_day_keeps_its_next(said: str, kept: str) -> None:
    assert parse_time_preference(said) == kept
