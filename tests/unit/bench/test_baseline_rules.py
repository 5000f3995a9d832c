"""The keyword-rule baseline classifier."""

from __future__ import annotations

import pytest

from bench.baseline_rules import KeywordClassifier


@pytest.fixture(scope="module")
def clf() -> KeywordClassifier:
    return KeywordClassifier()


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("楼道里好大一股煤气味", "emergency"),
        ("我老伴摔倒了起不来", "emergency"),
        ("转人工", "handoff_human"),
        ("算了，不报了", "cancel"),
        ("我上次报的事怎么样了", "ask_status"),
        ("已经修好了", "rate"),
        ("帮我妈申请高龄津贴", "service"),
        ("老年卡去哪办要带啥", "consult"),
        ("5号楼2单元的楼道灯全坏了", "report"),
        ("5号楼2单元", "inform"),
        ("13812345678", "inform"),
        ("谢谢", "thank"),
        ("再见", "goodbye"),
        ("你好", "greet"),
        ("不对", "deny"),
        ("对", "affirm"),
        ("asdfgh", "out_of_scope"),
    ],
)
def test_rules(clf: KeywordClassifier, text: str, intent: str) -> None:
    assert clf(text) == intent


def test_traditional_input_is_normalised(clf: KeywordClassifier) -> None:
    assert clf("樓道裡好大一股煤氣味") == "emergency"
    assert clf("幫我媽申請高齡津貼") == "service"


def test_fillers_do_not_hide_the_intent(clf: KeywordClassifier) -> None:
    assert clf("嗯 对") == "affirm"
    assert clf("那个…转人工") == "handoff_human"


def test_no_rule_gives_fallback_and_names_the_rule(clf: KeywordClassifier) -> None:
    assert clf.predict("qwerty").rule is None
    assert clf.predict("转人工").rule == "handoff_human"
    assert "out_of_scope" in clf.intents


def test_custom_rules_first_match_wins() -> None:
    clf = KeywordClassifier(rules=(("x", "a"), ("y", "a|b")), fallback="z")
    assert clf("ab") == "x"
    assert clf("b") == "y"
    assert clf("c") == "z"
