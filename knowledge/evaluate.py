"""Retrieval quality on held-out phrasings and calibration of fusion weights and threshold."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from core.textnorm import normalize_text
from knowledge.embed import Embedder
from knowledge.index import Entry, Fusion, Scored, Snapshot
from knowledge.seed import HeldOut, SeedFaq

logger = logging.getLogger(__name__)

DENSE_ONLY = Fusion(1.0, 0.0)
LEXICAL_ONLY = Fusion(0.0, 1.0)
WRONG_ANSWER_COST = 2.0
"""A wrong confident answer costs this many correct ones (guessing is worse than asking)."""


@dataclass
class Metrics:
    """Ranking quality on in-scope questions."""

    n: int
    top1: float
    top3: float
    mrr: float


class EvalSet:
    """Seed FAQs embedded once, held-out questions embedded once; snapshots per fusion."""

    def __init__(self, embedder: Embedder, seed: list[SeedFaq]) -> None:
        """Embed every seed phrasing as a passage (blocking)."""
        self.embedder = embedder
        self.entries, texts, owners = [], [], []
        self.key_of: dict[int, str] = {}
        for i, faq in enumerate(seed, start=1):
            self.entries.append(Entry(i, faq.question, faq.answer))
            self.key_of[i] = faq.key
            for phrasing in dict.fromkeys([faq.question, *faq.alternatives]):
                texts.append(normalize_text(phrasing))
                owners.append(i)
        self.texts = texts
        self.owners = np.asarray(owners, dtype=np.int64)
        self.vectors = embedder.embed_passages(texts)
        self._query_cache: dict[str, np.ndarray] = {}

    def query_vectors(self, queries: list[str]) -> np.ndarray:
        """Query vectors, embedded once per text."""
        todo = [q for q in dict.fromkeys(queries) if q not in self._query_cache]
        if todo:
            self._query_cache.update(zip(todo, self.embedder.embed_queries(todo), strict=True))
        return np.stack([self._query_cache[q] for q in queries])

    def snapshot(self, fusion: Fusion) -> Snapshot:
        """A snapshot over the seed with the given fusion weights."""
        return Snapshot(self.entries, self.texts, self.owners, self.vectors, fusion=fusion)

    def rankings(self, items: list[HeldOut], fusion: Fusion, k: int = 10) -> list[list[Scored]]:
        """Ranked FAQs for every item."""
        queries = [normalize_text(it.question) for it in items]
        vecs = self.query_vectors(queries)
        snap = self.snapshot(fusion)
        return [snap.search(v, q, k) for v, q in zip(vecs, queries, strict=True)]


def metrics(items: list[HeldOut], rankings: list[list[Scored]], key_of: dict[int, str]) -> Metrics:
    """top-1, top-3 and MRR over the in-scope items."""
    top1 = top3 = rr = 0.0
    n = 0
    for item, ranked in zip(items, rankings, strict=True):
        if not item.in_scope:
            continue
        n += 1
        hits = [key_of[s.faq_id] in item.keys for s in ranked]
        if any(hits[:1]):
            top1 += 1
        if any(hits[:3]):
            top3 += 1
        if any(hits):
            rr += 1.0 / (hits.index(True) + 1)
    n_ = max(n, 1)
    return Metrics(n, top1 / n_, top3 / n_, rr / n_)


def decision_utility(
    items: list[HeldOut], rankings: list[list[Scored]], key_of: dict[int, str], threshold: float
) -> tuple[float, dict[str, int]]:
    """Utility of answering when the best score ≥ threshold: +1 right, −cost wrong, 0 declined."""
    counts = {"right": 0, "wrong": 0, "declined_in_scope": 0, "declined_out_of_scope": 0}
    for item, ranked in zip(items, rankings, strict=True):
        answered = bool(ranked) and ranked[0].score >= threshold
        if not answered:
            counts["declined_in_scope" if item.in_scope else "declined_out_of_scope"] += 1
        elif key_of[ranked[0].faq_id] in item.keys:
            counts["right"] += 1
        else:
            counts["wrong"] += 1
    return counts["right"] - WRONG_ANSWER_COST * counts["wrong"], counts


def calibrate(
    evalset: EvalSet,
    items: list[HeldOut],
    lexical_weights: tuple[float, ...] = (
        0.0,
        0.05,
        0.1,
        0.15,
        0.2,
        0.3,
        0.5,
    ),
) -> dict:
    """Pick the lexical weight (best MRR, then top-1) and the threshold (best utility).

    Returns:
        ``{"dense_weight", "lexical_weight", "answer_threshold", ...}`` with the calibration
        metrics, ready for ``thresholds.json``.
    """
    best: tuple | None = None
    for w in lexical_weights:
        fusion = Fusion(1.0, w)
        ranked = evalset.rankings(items, fusion)
        m = metrics(items, ranked, evalset.key_of)
        logger.info("lexical weight %.2f: top1 %.3f mrr %.3f", w, m.top1, m.mrr)
        if best is None or (m.mrr, m.top1) > (best[1].mrr, best[1].top1):
            best = (fusion, m, ranked)
    assert best is not None
    fusion, m, ranked = best
    tops = sorted({round(r[0].score, 4) for r in ranked if r})
    candidates = [t for t in tops] + [max(tops) + 1e-3]
    scored = [(decision_utility(items, ranked, evalset.key_of, t), t) for t in candidates]
    (utility, counts), threshold = max(scored, key=lambda x: (x[0][0], -x[1]))
    # place the threshold midway between the chosen score and the next lower top score
    lower = [t for t in tops if t < threshold]
    if lower:
        threshold = round((threshold + lower[-1]) / 2, 4)
    return {
        "dense_weight": fusion.dense_weight,
        "lexical_weight": fusion.lexical_weight,
        "answer_threshold": threshold,
        "calibration": {
            "n": len(items),
            "top1": round(m.top1, 4),
            "top3": round(m.top3, 4),
            "mrr": round(m.mrr, 4),
            "utility": utility,
            **counts,
        },
    }
