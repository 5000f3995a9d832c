"""Automatic screening of a proposal before staff see it (pure functions).

* phone and ID numbers are masked with the project's rules (``core.pii``);
* abusive words are flagged (not removed: staff decide);
* likely duplicates of open proposals are flagged by character-bigram similarity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.pii import mask_pii
from core.textnorm import normalize_text

ABUSIVE_WORDS = (
    "傻逼",
    "傻b",
    "煞笔",
    "妈的",
    "他妈",
    "尼玛",
    "操你",
    "草泥马",
    "王八蛋",
    "混蛋",
    "滚蛋",
    "去死",
    "死全家",
    "狗东西",
    "垃圾人",
    "白痴",
    "脑残",
    "贱人",
    "畜生",
)
"""Words that flag a proposal as abusive for staff (lower-cased, Simplified)."""

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class Screened:
    """A proposal's text after screening, with what staff should know."""

    what: str
    why: str
    had_numbers: bool = False
    """Phone or ID numbers were found and masked."""
    abusive_words: list[str] = field(default_factory=list)


def screen_text(what: str, why: str) -> Screened:
    """Normalise, mask personal numbers and flag abusive words."""
    what_n, why_n = normalize_text(what), normalize_text(why)
    what_m, why_m = mask_pii(what_n), mask_pii(why_n)
    lowered = f"{what_n} {why_n}".lower()
    compact = _PUNCT.sub("", lowered)
    found = [w for w in ABUSIVE_WORDS if w in compact]
    return Screened(
        what=what_m,
        why=why_m,
        had_numbers=(what_m != what_n or why_m != why_n),
        abusive_words=found,
    )


def _bigrams(text: str) -> set[str]:
    compact = _PUNCT.sub("", text.lower())
    if len(compact) < 2:
        return {compact} if compact else set()
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def similarity(a: str, b: str) -> float:
    """Overlap of character bigrams (0–1): shared / the smaller text's bigrams.

    The smaller text decides, so a short proposal repeated inside a longer one still counts.
    """
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def best_duplicate(text: str, candidates: Iterable[tuple[int, str]]) -> tuple[int, float] | None:
    """The most similar open proposal ``(id, score)``, or None when there are none."""
    best: tuple[int, float] | None = None
    for pid, other in candidates:
        score = similarity(text, other)
        if best is None or score > best[1]:
            best = (pid, score)
    return best
