"""Numbers said digit by digit: normalising, choosing among hypotheses, grouping, correcting."""

from __future__ import annotations

import pytest

from voice.digits import (
    Hypothesis,
    differing_groups,
    groups,
    is_mobile,
    is_phone,
    pick_number,
    replace_group,
    says_number,
    spoken_digits,
)


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("一三八，一五，三三一六", "138153316"),
        ("幺三八幺二三四五六七八", "13812345678"),
        ("两洞〇零", "2000"),
        ("１３８ 1234-5678。", "13812345678"),
        ("我的电话是139，两零零零，幺幺幺幺", "13920001111"),
        ("不留了", ""),
        ("", ""),
    ],
)
def test_spoken_digits(said: str, digits: str) -> None:
    assert spoken_digits(said) == digits


def test_phone_shapes() -> None:
    assert is_mobile("13812345678") and is_phone("13812345678")
    assert not is_mobile("12812345678")  # no mobile starts 12
    assert not is_phone("1381234567")  # 10 digits
    assert is_phone("01087654321") and not is_mobile("01087654321")  # landline with area code
    assert not is_phone("87654321")  # a landline without its area code is not enough


def test_pick_prefers_a_phone_shaped_hypothesis_over_a_better_scored_one() -> None:
    # Whisper dropped one of the repeated 2s in its best hypothesis; the 3rd has them all
    hyps = [
        Hypothesis("1382223410", -0.1),
        Hypothesis("138222341", -0.2),
        Hypothesis("13822223410", -0.3),
        Hypothesis("13822223411", -0.5),
    ]
    assert pick_number(hyps) == Hypothesis("13822223410", -0.3)
    assert pick_number(hyps[:2]) is None
    assert pick_number(hyps, accept=lambda d: len(d) == 9) == Hypothesis("138222341", -0.2)


def test_groups_and_replacing_one() -> None:
    assert groups("13812345678") == ["138", "1234", "5678"]
    assert groups("01087654321") == ["010", "8765", "4321"]
    assert groups("07558765432") == ["0755", "8765", "432"]
    assert replace_group("13812345678", 1, "1299") == "13812995678"
    assert replace_group("13812345678", 2, "567") is None  # wrong length
    assert replace_group("13812345678", 5, "5678") is None
    assert replace_group("13812345678", 0, "13912345678") == "13912345678"  # said whole again
    assert differing_groups("13812345678", "13812995678") == [1]
    assert differing_groups("13812345678", "13912345679") == [0, 2]
    assert differing_groups("1381234567", "13812345678") == [0, 1, 2]


def test_says_number() -> None:
    assert says_number("幺三八")
    assert says_number("支舞666008")
    assert not says_number("一个都不留")
    assert not says_number("不方便留电话")


def test_a_reading_one_digit_short_is_repaired_by_repeating_a_digit() -> None:
    from voice.digits import with_one_repeated

    repaired = with_one_repeated("2240320")
    assert "22240320" in repaired and "22440320" in repaired and "22403200" in repaired
    assert all(len(r) == 8 for r in repaired)
    assert len(repaired) == 6  # "22" repeated at either 2 is the same reading
