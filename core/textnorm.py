"""Text normalisation applied before any parsing: Traditional → Simplified, full-width →
half-width."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_ASCII_PUNCT_BY_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s*([,;:?!])|([,;:?!])(?=[\u4e00-\u9fff])")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # opencc-python-reimplemented

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified."""
    return _converter().convert(text) if text else text


def normalize_text(text: str) -> str:
    """NFKC (full-width digits/letters to ASCII), strip control characters, Traditional →
    Simplified."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return to_simplified(text).strip()


def chinese_punctuation(text: str) -> str:
    """Punctuation next to Chinese characters back in its full-width form ("雨棚,下雨天" →
    "雨棚，下雨天"): NFKC (``normalize_text``, the NLU) makes it ASCII, and what a resident wrote
    is stored and read back in their own form. ASCII between Latin letters or digits stays."""
    return _ASCII_PUNCT_BY_HAN.sub(lambda m: _FULL_WIDTH[m.group(1) or m.group(2)], text)
