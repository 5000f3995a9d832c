"""Numbers said digit by digit (phone numbers): normalise, choose among hypotheses, correct a group.

Pure functions, no engine: the recogniser (``voice.engines.whisper_digits``) gives several
hypotheses of a digit string with their scores; :func:`pick_number` keeps the best one that has
the shape of a phone number. The kiosk reads a number back in groups (mobile 3-4-4) and, when
one group was misheard, replaces only that group (:func:`replace_group`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SPOKEN_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "○": "0",
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
"""How people say (and recognisers write) digits, 幺/两/洞/拐/勾 included."""

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{9,11}")
"""A landline with its area code (3–4 digits starting with 0) and a 7–8 digit number."""
MOBILE_GROUPS = (3, 4, 4)


@dataclass(frozen=True)
class Hypothesis:
    """One reading of a spoken number: its digits and the recogniser's score (higher is better)."""

    digits: str
    score: float = 0.0


def spoken_digits(text: str) -> str:
    """The digits of a number said or typed: "一三八，幺五 3316" → "138153316".

    Chinese digit words (幺 = 1, 两 = 2, 洞 = 0 …), Arabic and full-width digits count;
    punctuation, spaces and other words are dropped.
    """
    out = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch.isascii() and ch.isdigit():
            out.append(ch)
        elif ch in SPOKEN_DIGITS:
            out.append(SPOKEN_DIGITS[ch])
    return "".join(out)


def is_mobile(digits: str) -> bool:
    """An 11-digit mainland mobile number (13… to 19…)."""
    return bool(MOBILE.fullmatch(digits))


def is_phone(digits: str) -> bool:
    """A mobile, or a landline with its area code."""
    return is_mobile(digits) or bool(LANDLINE.fullmatch(digits))


def pick_number(
    hypotheses: Iterable[Hypothesis], accept: Callable[[str], bool] = is_phone
) -> Hypothesis | None:
    """The best-scored hypothesis whose digits ``accept`` takes (a phone by default), or None.

    Whisper often drops one of two equal digits said quickly ("二二二" → "二二"); a lower-ranked
    hypothesis of the right length is then usually the right one.
    """
    fitting = [h for h in hypotheses if accept(h.digits)]
    return max(fitting, key=lambda h: h.score) if fitting else None


def with_one_repeated(digits: str) -> set[str]:
    """The readings with one digit said twice: "2240320" → {"22240320", "22440320", …}.

    Whisper base drops one of two or three equal digits said quickly ("二二二" → "二二"), so a
    hypothesis one digit short is repaired by repeating each of its digits in turn; the model
    then scores the repaired readings (``voice.engines.whisper_digits``)."""
    return {digits[: i + 1] + digits[i:] for i in range(len(digits))}


def group_sizes(digits: str) -> tuple[int, ...]:
    """Reading groups: mobile 3-4-4; landline area code then fours; else fours."""
    if digits.startswith("0") and len(digits) > 4:
        area = 3 if digits[1:2] in ("1", "2") else 4
        rest = len(digits) - area
        return (area, *[min(4, rest - i) for i in range(0, rest, 4)])
    if len(digits) == 11:
        return MOBILE_GROUPS
    return tuple(min(4, len(digits) - i) for i in range(0, len(digits), 4)) or (0,)


def groups(digits: str) -> list[str]:
    """The number cut into its reading groups: "13812345678" → ["138", "1234", "5678"]."""
    out, start = [], 0
    for size in group_sizes(digits):
        out.append(digits[start : start + size])
        start += size
    return out


def replace_group(digits: str, index: int, new: str) -> str | None:
    """The number with group ``index`` replaced by ``new`` (same length), or None if it doesn't fit.

    A resident who says or types the whole number again instead of the group gets it whole:
    a ``new`` of the number's full length replaces everything.
    """
    parts = groups(digits)
    if len(new) == len(digits):
        return new
    if not 0 <= index < len(parts) or len(new) != len(parts[index]):
        return None
    parts[index] = new
    return "".join(parts)


def differing_groups(before: str, after: str) -> list[int]:
    """Indexes of the reading groups that differ between two numbers of the same length."""
    if len(before) != len(after):
        return list(range(len(groups(after))))
    return [i for i, (a, b) in enumerate(zip(groups(before), groups(after), strict=True)) if a != b]


def says_number(text: str, at_least: int = 3) -> bool:
    """The words hold a number said digit by digit ("不留了" and "一个都不留" do not)."""
    return len(spoken_digits(text)) >= at_least
