"""CSV / JSONL parsing and export: errors name the line, export reads back."""

from __future__ import annotations

import pytest

from knowledge.bulk import ImportFormatError, parse_csv, parse_jsonl, to_csv, to_jsonl
from knowledge.models import Faq

GOOD = (
    "question,alternatives,answer,category\n老年卡怎么办,老年证去哪办|敬老卡,带身份证,senior_card\n"
)


def test_good_csv_parses_alternatives() -> None:
    rows = parse_csv(GOOD)
    assert rows[0].faq.alternatives == ["老年证去哪办", "敬老卡"]
    assert rows[0].id is None and rows[0].status == "active"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD + "只有一列\n", 3, "列"),
        (GOOD + ",,没有问题,\n", 3, "缺少问题"),
        (GOOD + "有问题,,,\n", 3, "缺少答案"),
        ("question,answer,valid_until\n问,答,2026-01-01\n问,答,明年\n", 3, "有效期"),
        ("question,answer,status\n问,答,deleted\n", 2, "状态"),
        ("id,question,answer\nabc,问,答\n", 2, "编号"),
        ("question,answer,colour\n问,答,红\n", 1, "不认识的列"),
        ("question\n问\n", 1, "answer"),
        ('question,answer\n"没有结束的引号,答\n', 2, "引号"),
    ],
)
def test_bad_csv_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ImportFormatError) as err:
        parse_csv(text)
    assert err.value.line == line
    assert f"第{line}行" in str(err.value) and words in str(err.value)


def test_multiline_quoted_answer_keeps_line_numbers_right() -> None:
    text = 'question,answer\n问1,"第一行\n第二行"\n只有一列\n'
    with pytest.raises(ImportFormatError) as err:
        parse_csv(text)
    assert err.value.line == 4


def test_bad_jsonl_names_the_line() -> None:
    with pytest.raises(ImportFormatError) as err:
        parse_jsonl('{"question": "问", "answer": "答"}\n{"question": "问2",\n')
    assert err.value.line == 2


def test_export_reads_back() -> None:
    faqs = [
        Faq(
            id=7,
            question="问,题",
            alternatives=["说法一", "说法二"],
            answer='答"案"\n两行',
            category="c",
            source=None,
            valid_until=None,
            owner="王",
            status="retired",
        )
    ]
    for text, parse in ((to_csv(faqs), parse_csv), (to_jsonl(faqs), parse_jsonl)):
        row = parse(text)[0]
        assert row.id == 7 and row.status == "retired"
        assert row.faq.question == "问,题" and row.faq.answer == '答"案"\n两行'
        assert row.faq.alternatives == ["说法一", "说法二"] and row.faq.owner == "王"
