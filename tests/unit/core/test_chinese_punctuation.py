"""What a resident wrote keeps its Chinese punctuation (``core.textnorm.chinese_punctuation``)."""

from __future__ import annotations

import pytest

from actions.parsing import clean_description
from actions.yishi_logic import proposal_text
from core.textnorm import chinese_punctuation


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "在各单元门口加装雨棚,下雨天老人进出不容易滑倒",
            "在各单元门口加装雨棚，下雨天老人进出不容易滑倒",
        ),
        ("你好?我想问:几点开门!", "你好？我想问：几点开门！"),
        ("Wi-Fi: ok, 3,5", "Wi-Fi: ok, 3,5"),  # between Latin letters and digits it stays
    ],
)
def test_chinese_punctuation(text: str, kept: str) -> None:
    assert chinese_punctuation(text) == kept


def test_a_proposal_and_a_description_keep_their_commas() -> None:
    # the NLU hands the actions NFKC text: the comma arrives as ASCII
    assert proposal_text("建议单元门口加装雨棚,下雨天好走") == "单元门口加装雨棚，下雨天好走"
    assert clean_description("楼道灯坏了,晚上很黑") == "楼道灯坏了，晚上很黑"
