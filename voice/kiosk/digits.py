"""Numbers entered on the kiosk's number pad (or said digit by digit): check, group, read back.

Phones are read back in groups (mobile 3-4-4: "幺三八，幺二三四，五六七八"), with 1 said as
"幺" as people do for phone numbers, so the resident hears each group clearly.
"""

from __future__ import annotations

import re

_SPOKEN = {
    "零": "0", "〇": "0", "洞": "0",
    "一": "1", "幺": "1", "壹": "1",
    "二": "2", "两": "2", "贰": "2",
    "三": "3", "叁": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6",
    "七": "7", "柒": "7", "拐": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9", "勾": "9",
}  # fmt: skip
_NAMES = "零一二三四五六七八九"
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{9,11}")
"""Area code (3–4 digits, starting with 0) and a 7–8 digit number, without separators."""

PHONE_REASK = "这个号码好像不太对。手机号是11位数字，第一位是1，请再输一遍。座机请连区号一起输。"
"""The pad's re-ask (不留电话 is the button right beside it: on a phone, a longer re-ask pushed
the pad's last row, 清空 0 删一位, under the screen's edge)."""
TAIL_REASK = "请输入手机号的最后4位数字。"
CASE_REASK = "编号请输后面的4位数字，比如回执上写着“后四位：0098”，就输0098。"
ROOM_REASK = "房号是1到5位数字，比如301。不用房号的话，点“不用房号”。"


def digits_in(text: str) -> str:
    """The digits in what was typed or said: "幺三八 1234" → "1381234" (other words dropped)."""
    return "".join(
        ch if ch.isascii() and ch.isdigit() else _SPOKEN.get(ch, "") for ch in text or ""
    )


def valid_phone(digits: str) -> bool:
    """A mobile (11 digits, 13–19) or a landline with its area code."""
    return bool(MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits))


def phone_groups(digits: str) -> list[str]:
    """Groups for reading: mobile 3-4-4; landline area code then the rest in fours."""
    if digits.startswith("0"):
        area = 3 if digits[1:2] in ("1", "2") else 4
        head, rest = digits[:area], digits[area:]
        return [head, *[rest[i : i + 4] for i in range(0, len(rest), 4)]]
    return [digits[:3], digits[3:7], digits[7:]] if len(digits) > 7 else [digits]


def case_groups(digits: str) -> list[str]:
    """A case number's digits: "0098" or date + serial "20261203 0098"."""
    if len(digits) > 4:
        return [digits[:8], digits[8:]]
    return [digits]


def say_digits(digits: str, *, phone: bool = False) -> str:
    """Digit by digit in words; in phone numbers 1 is "幺"."""
    return "".join("幺" if phone and d == "1" else _NAMES[int(d)] for d in digits if d.isdigit())


def read_back_phone(digits: str) -> str:
    """ "幺三八，幺二三四，五六七八"."""
    return "，".join(say_digits(g, phone=True) for g in phone_groups(digits))


def shown_phone(digits: str) -> str:
    """ "138 1234 5678"."""
    return " ".join(phone_groups(digits))
