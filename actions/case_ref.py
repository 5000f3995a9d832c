"""A case number and the reporting phone's last 4 digits, from what a resident typed or said.

"BS-20261203-0098", "202612030098", "尾号0098", "0098" and "零零九八" are case numbers;
"手机后四位5678", "电话尾号5678" or a whole mobile number give the phone's last 4. Two bare
groups of 4 digits ("0098 5678") are read as the number, then the phone, the order the
question asks for them. Pure functions: no I/O, no Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions.parsing import parse_case_no, prepare

_DIGIT_WORDS = dict(zip("零〇一二三四五六七八九幺两洞", "00123456789120", strict=True))
_SPOKEN_DIGITS = re.compile(f"[{''.join(_DIGIT_WORDS)}]{{4,}}")
"""Four or more digits read one by one ("零零九八"): kept digit by digit (leading zeros too)."""
_GROUP = re.compile(r"(?<!\d)\d+(?!\d)")
_PHONE_WORDS = re.compile(r"手机|电话|座机|联系方式")
_CASE_WORDS = re.compile(r"编号|单号|工单|案件|事项|回执|进度")
"""Words naming the case number ("尾号" / "后四位" name either, so they decide nothing)."""
_LAST_FOUR = re.compile(r"(?:最)?后\s*4\s*位(?:数)?")
_SPACED_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s\-]*(\d{4})[\s\-]*(\d{4})(?!\d)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_NOT_A_NUMBER = re.compile(r"\s*(?:年|室|房|户|元|块|栋|幢|号楼|米|平)")
"""Digits that are a year, a room, money or a size ("2026年", "1203室"), not a case or phone."""


@dataclass(frozen=True)
class CaseRef:
    """What the resident gave: a case number (full, 12 digits or last 4) and/or a phone tail."""

    number: str | None = None
    phone_tail: str | None = None


def _digits_said_one_by_one(text: str) -> str:
    return _SPOKEN_DIGITS.sub(lambda m: "".join(_DIGIT_WORDS[c] for c in m.group()), text)


def _label(between: str) -> str | None:
    """What the words just before a group of digits say it is: 'phone', 'case' or None."""
    phone, case = _PHONE_WORDS.search(between), _CASE_WORDS.search(between)
    if phone and case:  # "手机号是…" vs "编号…": the nearer word decides
        return "phone" if phone.end() > case.end() else "case"
    return "phone" if phone else "case" if case else None


def parse_case_ref(text: str) -> CaseRef:
    """The case number and phone last 4 in one message (either may be None)."""
    prepared = prepare(_digits_said_one_by_one(text or ""))
    number = parse_case_no(prepared)
    if number:
        prepared = re.sub(r"[A-Za-z]{2}[\s\-_]*\d{8}[\s\-_]*\d{4}", " ", prepared, count=1)
    # "20261203 0098": a date and a sequence said apart are one case number
    prepared = re.sub(r"(?<!\d)(20\d{6})[\s\-_]+(\d{4})(?!\d)", r"\1\2", prepared)
    prepared = _SPACED_MOBILE.sub(r"\1\2\3", _LAST_FOUR.sub("后四位", prepared))
    phone_tail: str | None = None
    unlabelled: list[str] = []
    last_end = 0
    for match in _GROUP.finditer(prepared):
        digits, between = match.group(), prepared[last_end : match.start()]
        last_end = match.end()
        label = _label(between)
        if _NOT_A_NUMBER.match(prepared, match.end()):
            continue
        if _MOBILE.fullmatch(digits):
            phone_tail = phone_tail or digits[-4:]
        elif len(digits) >= 12 and digits.startswith("20") and label != "phone":
            number = number or digits[:12]
        elif len(digits) == 4 and label == "phone":
            phone_tail = phone_tail or digits
        elif len(digits) == 4 and label == "case":
            number = number or digits
        elif len(digits) == 4:
            unlabelled.append(digits)
    for digits in unlabelled:
        if number is None:
            number = digits
        elif phone_tail is None:
            phone_tail = digits
    return CaseRef(number=number, phone_tail=phone_tail)


def tail_of(number: str) -> str:
    """The last 4 digits of a case number as the resident gave it."""
    return re.sub(r"\D", "", number)[-4:]


_NAMES_A_CASE = re.compile(r"尾号|编号|单号|单子|工单|案件|回执|查询码")


def names_a_case(text: str) -> bool:
    """The words say they give a case number ("尾号0098", "BS-20261203-0098"), so the digits
    are not a room or a phone."""
    return bool(parse_case_no(text) or _NAMES_A_CASE.search(prepare(text or "")))


_NO_NUMBER = re.compile(
    r"(没有|没|不知道|忘了|找不到|记不得|记不住|不记得)[^，,。]{0,3}(编号|单号|号码|回执)|(编号|单号|回执)[^，,。]{0,3}(丢了|没了|找不到|忘了)"
)


_NO_PHONE = re.compile(
    r"(没|没有|不曾)留?(过)?(电话|手机|号码)|(电话|手机)[^，,。]{0,3}(没留|没有留)"
)


_FORGOT = re.compile(r"不记得|记不得|记不住|记不清|想不起|忘了|忘记|不知道|不晓得")


def forgot_it(text: str) -> bool:
    """The resident says they do not remember ("不记得了", "手机号忘了"): said right after we
    asked for a number or digits, it is that number they forgot."""
    return bool(_FORGOT.search(prepare(text or "")))


def has_no_phone(text: str) -> bool:
    """The resident says no phone was left with the report ("我没留电话")."""
    return bool(_NO_PHONE.search(prepare(text or "")))


def has_no_number(text: str) -> bool:
    """The resident says they have no case number ("我没有编号", "回执丢了")."""
    return bool(_NO_NUMBER.search(prepare(text or "")))


def answer_to(text: str, waiting_number: str | None) -> CaseRef:
    """What a message gives when we may be waiting for the phone digits of ``waiting_number``:
    a bare "7777" is then the phone's last 4, not a new case number."""
    ref = parse_case_ref(text)
    if not waiting_number:
        return ref
    if ref.phone_tail is None and ref.number and len(ref.number) == 4 and not names_a_case(text):
        return CaseRef(number=waiting_number, phone_tail=ref.number)
    if ref.phone_tail and not ref.number:
        return CaseRef(number=waiting_number, phone_tail=ref.phone_tail)
    return ref
