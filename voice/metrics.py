"""Character error rate with the normalisation the speech test set asks for."""

from __future__ import annotations

import re

from core.textnorm import normalize_text

_DIGITS = "零一二三四五六七八九"
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_for_cer(text: str) -> str:
    """Simplified, no punctuation or spaces, Arabic digits read out as Chinese digits."""
    text = normalize_text(text or "")
    text = "".join(_DIGITS[int(ch)] if ch.isdigit() and ch.isascii() else ch for ch in text)
    return _DROP.sub("", text).lower()


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    prev = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, hc in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (rc != hc))
        prev = cur
    return prev[-1]


def cer(refs: list[str], hyps: list[str]) -> float:
    """Corpus CER: total edits over total reference characters (after normalisation)."""
    edits = chars = 0
    for ref, hyp in zip(refs, hyps, strict=True):
        r, h = normalize_for_cer(ref), normalize_for_cer(hyp)
        edits += edit_distance(r, h)
        chars += len(r)
    return edits / chars if chars else 0.0
