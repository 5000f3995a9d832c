"""Calibrated confidence: the probability that a hit is the right FAQ, from its fused score.

A logistic model over four features of each hit — its fused ranking score, its margin over the
best *other* candidate (for the first hit: the lead over the second; for the others: how far
behind the first they are), the overlap of content words with the FAQ (a near miss often
differs in exactly the word that matters) and its character n-gram similarity on its own — fitted
on labelled dev queries (``python -m knowledge calibrate``). The character similarity may weigh
*against* a hit: at equal fused score, a hit that owes more of it to shared characters and less to
meaning is more often a near miss ("身份证掉了,挂失要本人去吗" vs "身份证掉了要挂失吗"); real user
queries (LCQMC) showed it, the authored ones did not.
The result is a number in [0, 1] that means what it says: of hits scored 0.8 on the dev set,
about 8 in 10 were right. The search answers only when the first hit reaches the threshold
chosen on the dev set; otherwise it offers the closest questions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Calibrator:
    """``p = sigmoid(coef_score * fused + coef_margin * margin + coef_overlap * overlap
    + coef_lexical * lexical + b)``; ``coef_lexical`` may be negative (see the module notes)."""

    coef_score: float = 6.0
    coef_margin: float = 12.0
    intercept: float = -5.5
    coef_overlap: float = 0.0
    coef_lexical: float = 0.0

    def probabilities(
        self,
        fused: Sequence[float],
        overlap: Sequence[float] | None = None,
        lexical: Sequence[float] | None = None,
    ) -> list[float]:
        """Probability of each candidate (ranked best first) being the right FAQ."""
        scores = np.asarray(list(fused), dtype=np.float64)
        if scores.size == 0:
            return []
        words = list(overlap) if overlap is not None else [0.0] * scores.size
        chars = list(lexical) if lexical is not None else [0.0] * scores.size
        return [
            self._p(float(s), float(m), float(o), float(c))
            for s, m, o, c in zip(scores, margins(scores), words, chars, strict=True)
        ]

    def probabilities_of(self, scored: Sequence) -> list[float]:  # noqa: ANN001
        """Probabilities of ranked :class:`knowledge.index.Scored` candidates."""
        return self.probabilities(
            [s.score for s in scored], [s.overlap for s in scored], [s.lexical for s in scored]
        )

    def _p(self, score: float, margin: float, overlap: float, lexical: float = 0.0) -> float:
        z = (
            self.coef_score * score
            + self.coef_margin * margin
            + self.coef_overlap * overlap
            + self.coef_lexical * lexical
            + self.intercept
        )
        z = max(-40.0, min(40.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def as_dict(self) -> dict[str, float]:
        """For ``thresholds.json``."""
        return {
            "coef_score": round(self.coef_score, 6),
            "coef_margin": round(self.coef_margin, 6),
            "coef_overlap": round(self.coef_overlap, 6),
            "coef_lexical": round(self.coef_lexical, 6),
            "intercept": round(self.intercept, 6),
        }


VAGUE_WORDS = frozenset(
    "个 问题 事 事情 事儿 情况 咨询 打听 了解 知道 问个 问些 一些 有点 点 帮忙 帮 帮帮 麻烦 "
    "在不在 在吗 您好 你好 老师 同志 小助手 助手".split()
)
"""Words that ask to be heard but name no topic ("我有个问题", "想打听个事儿"): not content words
here, though BM25 keeps them (they never decide a ranking there)."""


@lru_cache(maxsize=4096)
def has_content_words(text: str) -> bool:
    """Whether a (normalised) question has a content word at all.

    One without (我想问问, 请问一下, 在吗) names no FAQ, so it is never answered confidently
    (the closest FAQs are offered), whatever its closest FAQ scores: a short vague question can sit
    close to a generic FAQ in the embedding, and the calibrated score leans on that closeness.
    """
    from knowledge.bm25 import tokenize

    return any(word not in VAGUE_WORDS for word in tokenize(text))


def margins(scores: np.ndarray) -> np.ndarray:
    """Each score minus the best other score (the only candidate: its own score)."""
    if scores.size == 1:
        return scores.copy()
    best = float(scores.max())
    second = float(np.partition(scores, -2)[-2])
    others = np.where(scores >= best, second, best)
    return scores - others


N_FEATURES = 4


def features(
    fused: Sequence[float], overlap: Sequence[float], lexical: Sequence[float] | None = None
) -> np.ndarray:
    """``(n, 4)`` features of ranked candidates: fused score, margin, word overlap, character
    similarity (zeros when not given)."""
    scores = np.asarray(list(fused), dtype=np.float64)
    if not scores.size:
        return np.zeros((0, N_FEATURES))
    chars = np.asarray(list(lexical) if lexical is not None else np.zeros(scores.size))
    return np.stack([scores, margins(scores), np.asarray(list(overlap)), chars], axis=1)


def fit(x: np.ndarray, y: np.ndarray, c: float = 10.0) -> Calibrator:
    """Fit the logistic model (scikit-learn) on candidate features and right/wrong labels.

    The features are standardised before the penalised fit, then the coefficients are mapped back
    to raw feature units: without it the penalty holds back the features with a narrow range (the
    fused score of plausible hits spans a few hundredths) and the fit leans on the margin alone.
    """
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both right and wrong candidates")
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] < N_FEATURES:
        x = np.pad(x, ((0, 0), (0, N_FEATURES - x.shape[1])))
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0  # a constant feature (a signal the fusion leaves out): weight 0
    model = LogisticRegression(C=c, max_iter=1000)
    model.fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - float(np.sum(model.coef_[0] * mean / scale)))
    coef_score, coef_margin, coef_overlap, coef_lexical = (float(v) for v in coef)
    return Calibrator(
        max(coef_score, 0.0),
        max(coef_margin, 0.0),
        intercept,
        max(coef_overlap, 0.0),
        coef_lexical,
    )


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Per probability bin: mean predicted, observed right rate, count (a calibration check)."""
    out = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (p >= lo) & ((p < hi) | (hi == 1.0))
        if mask.any():
            out.append(
                {
                    "bin": f"{lo:.1f}-{hi:.1f}",
                    "predicted": round(float(p[mask].mean()), 3),
                    "observed": round(float(y[mask].mean()), 3),
                    "n": int(mask.sum()),
                }
            )
    return out
