"""Text normalisation applied before any parsing: Traditional → Simplified, full-width →
half-width."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


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
