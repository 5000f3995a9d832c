"""Chinese number words to Arabic digits, as residents say them and as speech recognition
writes them."""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "洞": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "拐": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
    "勾": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUMBER_RUN = re.compile(r"[零〇洞一幺壹二两贰三叁四肆五伍六陆七柒拐八捌九玖勾十拾百佰千仟]+")
# Words where a number character is not a number.
_NOT_NUMBERS = (
    "一下",
    "一直",
    "一点",
    "一些",
    "一起",
    "一样",
    "一般",
    "一定",
    "统一",
    "万一",
    "一会",
    "一个",
    "一天",
    "一声",
    "一股",
    "一片",
    "一闪",
    "一半",
    "一次",
    "第一",
    "唯一",
    "一楼道",
    "七八糟",
    "乱七八",
    "三番五次",
    "五花八门",
    "十分",
    "百姓",
    "千万",
    "两个",
    "两天",
    "两次",
    "两口",
    "四处",
    "九十",
    "拐角",
    "拐弯",
    "勾",
)


def _run_value(run: str) -> int | None:
    """Value of one run of number characters: 三百零一 → 301, 三零一 → 301, 十二 → 12."""
    if not any(ch in _UNITS for ch in run):
        return int("".join(str(_DIGITS[ch]) for ch in run))
    total, current = 0, 0
    for ch in run:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


def chinese_numbers_to_digits(text: str) -> str:
    """Replace Chinese number words with digits where they are numbers (五号楼 → 5号楼).

    Common words that merely contain a number character (一下, 一直, 乱七八糟 …) are kept.
    """
    protected: dict[str, str] = {}
    for i, word in enumerate(sorted(_NOT_NUMBERS, key=len, reverse=True)):
        if word in text:
            key = f"\x00{i}\x00"
            protected[key] = word
            text = text.replace(word, key)

    def repl(m: re.Match[str]) -> str:
        value = _run_value(m.group(0))
        return m.group(0) if value is None else str(value)

    text = _NUMBER_RUN.sub(repl, text)
    for key, word in protected.items():
        text = text.replace(key, word)
    return text
