"""Pure rules: screening (masking, abusive words, duplicates) and the 民法典 thresholds."""

from __future__ import annotations

import pytest

from deliberation.screening import best_duplicate, screen_text, similarity
from deliberation.thresholds import Threshold, evaluate


def test_phone_and_id_numbers_are_masked_with_the_projects_rules() -> None:
    screened = screen_text("请联系我13812345678，身份证110101199003071234", "座机 027-87654321")
    assert "13812345678" not in screened.what and "138****5678" in screened.what
    assert "110101199003071234" not in screened.what
    assert "87654321" not in screened.why
    assert screened.had_numbers


def test_clean_text_is_not_flagged() -> None:
    screened = screen_text("小区东门加装路灯", "晚上太黑，老人走路不安全")
    assert not screened.had_numbers and screened.abusive_words == []


def test_abusive_words_are_flagged_even_with_spaces_or_traditional_characters() -> None:
    assert screen_text("物业都是 王 八 蛋", "").abusive_words == ["王八蛋"]
    assert screen_text("這幫混蛋不管事", "").abusive_words == ["混蛋"]


def test_waste_recycling_is_not_abuse() -> None:
    assert screen_text("增设废物回收点", "").abusive_words == []


def test_duplicates_score_high_and_unrelated_low() -> None:
    assert similarity("东门加装路灯", "建议在小区东门加装路灯，晚上太黑") >= 0.8
    assert similarity("东门加装路灯", "3号楼加装电梯") < 0.3
    found = best_duplicate("东门装路灯", [(1, "3号楼加装电梯"), (2, "东门加装路灯")])
    assert found is not None and found[0] == 2


@pytest.mark.parametrize(
    ("rule", "eligible", "participants", "approvals", "expected"),
    [
        (Threshold.ORDINARY, 30, 20, 11, (True, True)),  # 20 ≥ 2/3·30, 11 > 10
        (Threshold.ORDINARY, 30, 20, 10, (True, False)),  # exactly half is not more than half
        (Threshold.ORDINARY, 30, 19, 19, (False, True)),  # 19 < 20
        (Threshold.MAJOR, 30, 20, 15, (True, True)),  # 15 ≥ 3/4·20
        (Threshold.MAJOR, 30, 20, 14, (True, False)),
        (Threshold.MAJOR, 3, 2, 2, (True, True)),
        (Threshold.ORDINARY, 0, 0, 0, (False, False)),
    ],
)
def test_thresholds_of_article_278(
    rule: Threshold, eligible: int, participants: int, approvals: int, expected: tuple[bool, bool]
) -> None:
    result = evaluate(rule, eligible=eligible, participants=participants, approvals=approvals)
    assert result is not None
    assert (result.participation_met, result.approval_met) == expected
    assert result.met == all(expected)


def test_no_threshold_means_no_verdict() -> None:
    assert evaluate(Threshold.NONE, eligible=10, participants=10, approvals=10) is None
