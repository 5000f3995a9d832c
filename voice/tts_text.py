"""Text as it should be heard: numbers in words, letters named, clean clause punctuation.

Every synthesiser gets its text through :func:`speakable` (pure functions, no engine needed):

- mobile numbers digit by digit in 3-4-4 groups, 1 said as 幺 ("幺三八，幺二三四，五六七八");
  landlines and hotlines (110, 120, 12345 …) digit by digit too;
- case numbers (``BS-20261203-0098``) letter by letter and digit by digit in groups;
- codes and long numbers (尾号 5678, 0098, a room 301, a year 2026) digit by digit;
- counts and ordinals in words: 5号楼 → 五号楼, 12号楼 → 十二号楼, 11位 → 十一位, 2个 → 两个,
  100元 → 一百元; clock times 8:30 → 八点半; decimals and percentages;
- capital letters by their Chinese names (B → 比), quotation marks and brackets dropped, runs of
  punctuation collapsed ("？。" → "？").

The recogniser's transcripts are compared with prompts in this same spoken form (bench).
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
LETTERS = {
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺",
    "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "皮",
    "Q": "丘", "R": "阿", "S": "艾丝", "T": "提", "U": "优", "V": "维", "W": "达布留",
    "X": "艾克斯", "Y": "歪", "Z": "贼",
}  # fmt: skip
"""Capital letters as Chinese speakers name them."""
HOTLINES = frozenset({"110", "119", "120", "122", "12345", "12315", "12319", "12349", "96110"})
"""Service numbers people say digit by digit with 幺."""
LIANG_BEFORE = "个位人天次年岁张份件斤周条户家间把只本台"
"""Measure words after which 2 is said 两 (两个, 两位; but 二号楼, 二单元)."""
QUANTITY_AFTER = (
    "元", "块", "角", "米", "公里", "平方", "斤", "公斤", "克", "岁", "人", "个", "户", "天",
    "小时", "分钟", "秒", "次", "张", "份", "件", "度", "万", "千", "百", "多",
)  # fmt: skip
"""Words after which a number of 3+ digits is a quantity (一百元), not a code."""

_CASE_NO = re.compile(r"(?<![A-Z0-9])([A-Z]{2})-(\d{8})-(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_SPACED_DIGITS = re.compile(r"(?<!\d)\d(?: \d)+(?!\d)")
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:：]([0-5]\d)(?!\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)[%％]")
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
_NUMBER = re.compile(r"\d+")
_LETTER_RUN = re.compile(r"(?<![A-Za-z])[A-Z]{1,4}(?![A-Za-z])")
_ADJACENT_QUOTES = re.compile(r"[”」』]\s*[“「『]")
_DROP = re.compile(r"[“”\"‘’'「」『』《》【】\[\]*_#>`~•●◆■□]")
_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")
_PUNCT_RUN = re.compile(r"([，。！？；：、,.!?;:])[，。！？；：、,.!?;:\s]+")
_SPACES = re.compile(r"[ \t\u3000]+")


def digits_one_by_one(digits: str, *, yao: bool = False) -> str:
    """ "0098" → "零零九八"; with ``yao`` 1 is 幺 (as in phone numbers)."""
    return "".join("幺" if yao and d == "1" else DIGITS[int(d)] for d in digits if d.isdigit())


def cardinal(number: int) -> str:
    """An integer in words: 12 → 十二, 105 → 一百零五, 2026 → 两千零二十六 (below 10⁸)."""
    if number < 0:
        return "负" + cardinal(-number)
    if number < 10:
        return DIGITS[number]
    if number < 20:
        return "十" + (DIGITS[number % 10] if number % 10 else "")
    if number >= 100_000_000:
        return digits_one_by_one(str(number))
    if number >= 10_000:
        high, low = divmod(number, 10_000)
        return (
            ("两" if high == 2 else cardinal(high))
            + "万"
            + (_below_10k(low, zero=low < 1000) if low else "")
        )
    return _below_10k(number, zero=False)


def _below_10k(number: int, *, zero: bool) -> str:
    out = []
    pending_zero = zero
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = number // value % 10
        if d:
            if pending_zero and out:
                out.append("零")
            elif pending_zero and zero:
                out.append("零")
            out.append(("两" if d == 2 and unit in ("千", "百") else DIGITS[d]) + unit)
            pending_zero = False
        elif out:
            pending_zero = True
    return "".join(out)


def phone_spoken(digits: str) -> str:
    """A mobile in 3-4-4 groups, a landline area code then fours: "幺三八，幺二三四，五六七八"."""
    if digits.startswith("0"):
        area = 3 if digits[1:2] in ("1", "2") else 4
        groups = [digits[:area]] + [digits[i : i + 4] for i in range(area, len(digits), 4)]
    else:
        groups = [digits[:3], digits[3:7], digits[7:]]
    return "，".join(digits_one_by_one(g, yao=True) for g in groups if g)


def case_no_spoken(letters: str, date: str, serial: str) -> str:
    """ "BS-20261203-0098" → "比艾丝，二零二六，一二零三，零零九八"."""
    named = "".join(LETTERS.get(c, c) for c in letters)
    return "，".join((named, digits_one_by_one(date[:4]), digits_one_by_one(date[4:]),
                      digits_one_by_one(serial)))  # fmt: skip


def _number(match: re.Match[str]) -> str:
    digits = match.group(0)
    text = match.string
    after = text[match.end() : match.end() + 2]
    before = text[max(0, match.start() - 2) : match.start()]
    if digits in HOTLINES:
        return digits_one_by_one(digits, yao=True)
    if len(digits) >= 3 or (digits.startswith("0") and len(digits) > 1):
        if len(digits) <= 8 and not digits.startswith("0") and after.startswith(QUANTITY_AFTER):
            return cardinal(int(digits))
        return digits_one_by_one(digits)
    value = int(digits)
    if value == 2 and after[:1] and after[0] in LIANG_BEFORE and not before.endswith("第"):
        return "两"
    return cardinal(value)


def _brackets(match: re.Match[str]) -> str:
    inner = match.group(1).strip()
    return f"，{inner}，" if inner else ""


def speakable(text: str) -> str:
    """``text`` as it should be heard (see the module docstring); empty stays empty."""
    text = (text or "").strip()
    if not text:
        return ""
    text = _ADJACENT_QUOTES.sub("，", text)
    text = _DROP.sub("", text)
    text = _CASE_NO.sub(lambda m: case_no_spoken(*m.groups()), text)
    text = _SPACED_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _MOBILE.sub(lambda m: phone_spoken(m.group(0)), text)
    text = _LANDLINE.sub(lambda m: phone_spoken(m.group(0).replace("-", "")), text)
    text = _TIME.sub(_clock, text)
    text = _PERCENT.sub(lambda m: "百分之" + _decimal_words(m.group(1)), text)
    text = _DECIMAL.sub(lambda m: _decimal_words(m.group(0)), text)
    text = _NUMBER.sub(_number, text)
    text = _LETTER_RUN.sub(lambda m: "".join(LETTERS[c] for c in m.group(0)), text)
    text = _BRACKETS.sub(_brackets, text)
    text = _SPACES.sub("", text) if _is_chinese(text) else _SPACES.sub(" ", text)
    text = _PUNCT_RUN.sub(lambda m: _stronger(m.group(0)), text)
    return text.strip("，,、；; ")


def _clock(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    tail = "" if minute == 0 else ("半" if minute == 30 else cardinal(minute) + "分")
    return f"{'两' if hour == 2 else cardinal(hour)}点{tail}"


def _decimal_words(number: str) -> str:
    whole, _, frac = number.partition(".")
    return cardinal(int(whole)) + ("点" + digits_one_by_one(frac) if frac else "")


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_STRENGTH = {
    ch: rank for rank, group in enumerate(("、,", "，；;：:", "。.", "！!", "？?")) for ch in group
}


def _stronger(run: str) -> str:
    """The strongest mark of a run ("？。" → "？", "，。" → "。")."""
    marks = [ch for ch in run if ch in _STRENGTH]
    return max(marks, key=lambda ch: _STRENGTH[ch]) if marks else run[:1]


CLAUSE_END = re.compile(r"(?<=[，。！？；：、])")
"""Split point after each clause mark (the mark stays with its clause)."""


def clauses(text: str) -> list[tuple[str, str]]:
    """Split spoken text into (clause, mark) pairs; mark is the closing punctuation or ""."""
    out = []
    for part in CLAUSE_END.split(text):
        part = part.strip()
        if not part:
            continue
        mark = part[-1] if part[-1] in "，。！？；：、" else ""
        body = part[:-1].strip() if mark else part
        if body:
            out.append((body, mark))
    return out
