"""A bare number is an answer (nlu/addons/digits_answer.py), never "这个我帮不上忙". Loaded from its
file (the Rasa venv has the rest of the component); the live-stack counterpart is
tests/integration/test_status_elsewhere.py::test_bare_phone_digits_are_an_answer."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _is_bare_number():  # type: ignore[no-untyped-def]
    source = (ROOT / "nlu/addons/digits_answer.py").read_text(encoding="utf-8")
    namespace: dict = {"re": re, "unicodedata": unicodedata}
    start = source.index("_DIGITS_ONLY = re.compile(")
    end = source.index("@DefaultV1Recipe")
    exec(source[start:end], namespace)  # noqa: S102 - our own file, patterns only
    return namespace["is_bare_number"]


is_bare_number = _is_bare_number()


@pytest.mark.parametrize(
    "text",
    ["1111", "0042", "301", "138 1234 5678", "138-1234-5678", "五二零一", "１２３４", "幺三八"],
)
def test_numbers_alone_are_answers(text: str) -> None:
    assert is_bare_number(text)


@pytest.mark.parametrize(
    "text", ["12", "", "5号楼301", "BS-20261121-0042", "我的手机尾号1111", "一", "打110"]
)
def test_anything_else_is_left_to_the_classifiers(text: str) -> None:
    assert not is_bare_number(text)
