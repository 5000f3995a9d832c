"""A case number said aloud by its tail, the one rule the kiosk and the bot share."""

from __future__ import annotations

from core.case_numbers import say_case_numbers, spoken_tail


def test_a_case_number_is_said_by_its_tail() -> None:
    assert spoken_tail("BS-20261203-0098") == "编号尾号零零九八"
    assert spoken_tail("不是编号") == "不是编号"
    said = say_case_numbers("您的报事编号是 BS-20261203-0098（尾号 0 0 9 8）。")
    assert said == "您的报事编号尾号零零九八。"
    # written without a space after 编号, after 工单号, or alone in a sentence
    assert say_case_numbers("编号BS-20261203-0098已办结") == "编号尾号零零九八已办结"
    assert say_case_numbers("已为您登记，工单号 BS-20261121-0042，请记好。") == (
        "已为您登记，编号尾号零零四二，请记好。"
    )
    assert (
        say_case_numbers("您的事项 BS-20261121-0042：已办结") == "您的事项 编号尾号零零四二：已办结"
    )
    assert say_case_numbers("XBS-20261121-00421") == "XBS-20261121-00421"  # not a case number
