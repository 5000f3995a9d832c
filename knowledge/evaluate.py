"""Retrieval quality on held-out phrasings and calibration of fusion weights and threshold."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from core.textnorm import normalize_text
from knowledge.calibration import (
    N_FEATURES,
    Calibrator,
    features,
    fit,
    has_content_words,
    reliability,
)
from knowledge.embed import Embedder
from knowledge.index import Entry, Fusion, Scored, Snapshot
from knowledge.seed import HeldOut, SeedFaq

logger = logging.getLogger(__name__)

DENSE_ONLY = Fusion(1.0, 0.0)
LEXICAL_ONLY = Fusion(0.0, 1.0)
"""Character n-gram TF-IDF alone: the baseline."""
BM25_ONLY = Fusion(0.0, 0.0, 1.0)
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


@lru_cache(maxsize=65_536)
def answerable(question: str) -> bool:
    """Whether a raw question has a content word once normalised (cached: the threshold search
    asks for every query at every candidate threshold)."""
    return has_content_words(normalize_text(question))


def decision_utility(
    items: list[HeldOut],
    rankings: list[list[Scored]],
    key_of: dict[int, str],
    threshold: float,
    calibrator: Calibrator | None = None,
) -> tuple[float, dict[str, int]]:
    """Utility of answering when the first hit's probability ≥ threshold: +1 right, −cost wrong.

    Without a calibrator the raw fused score is compared (the old behaviour). A question without
    content words is never answered (as in :meth:`knowledge.service.KnowledgeBase.search`).
    """
    counts = {"right": 0, "wrong": 0, "declined_in_scope": 0, "declined_out_of_scope": 0}
    for item, ranked in zip(items, rankings, strict=True):
        if not ranked or not answerable(item.question):
            best = 0.0
        elif calibrator is None:
            best = ranked[0].score
        else:
            best = calibrator.probabilities_of(ranked)[0]
        if best < threshold:
            counts["declined_in_scope" if item.in_scope else "declined_out_of_scope"] += 1
        elif key_of[ranked[0].faq_id] in item.keys:
            counts["right"] += 1
        else:
            counts["wrong"] += 1
    return counts["right"] - WRONG_ANSWER_COST * counts["wrong"], counts


def candidate_features(
    items: list[HeldOut], rankings: list[list[Scored]], key_of: dict[int, str], depth: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Features and right/wrong labels of the first ``depth`` candidates of every query."""
    xs, ys = [], []
    for item, ranked in zip(items, rankings, strict=True):
        top = ranked[:depth]
        if not top:
            continue
        xs.append(
            features([s.score for s in top], [s.overlap for s in top], [s.lexical for s in top])
        )
        ys.extend(int(key_of[s.faq_id] in item.keys) for s in top)
    if not xs:
        return np.zeros((0, N_FEATURES)), np.zeros(0, dtype=np.int64)
    return np.concatenate(xs), np.asarray(ys, dtype=np.int64)


def choose_threshold(
    items: list[HeldOut],
    rankings: list[list[Scored]],
    key_of: dict[int, str],
    calibrator: Calibrator,
) -> tuple[float, float, dict[str, int]]:
    """The probability threshold with the best utility (ties: the higher, i.e. more careful)."""
    tops = sorted({round(calibrator.probabilities_of(r)[0], 4) for r in rankings if r})
    best: tuple[float, float, dict[str, int]] | None = None
    for t in [*tops, 1.0001]:
        utility, counts = decision_utility(items, rankings, key_of, t, calibrator)
        if best is None or utility > best[1] or (utility == best[1] and t > best[0]):
            best = (t, utility, counts)
    assert best is not None
    threshold, utility, counts = best
    lower = [t for t in tops if t < threshold]
    if lower and threshold <= 1.0:  # midway to the next lower top score: less brittle
        threshold = round((threshold + lower[-1]) / 2, 4)
    return min(threshold, 1.0), utility, counts


@dataclass
class Labelled:
    """One labelled query set over its own FAQ bank (the authored seed or a real FAQ set)."""

    name: str
    evalset: EvalSet
    items: list[HeldOut]


def fit_all(sets: list[Labelled], fusion: Fusion) -> tuple[Calibrator, float, dict[str, dict]]:
    """Fit one calibrator and one threshold on the union of the dev sets with this fusion."""
    ranked = {s.name: s.evalset.rankings(s.items, fusion) for s in sets}
    xs, ys = [], []
    for s in sets:
        x, y = candidate_features(s.items, ranked[s.name], s.evalset.key_of)
        xs.append(x)
        ys.append(y)
    calibrator = fit(np.concatenate(xs), np.concatenate(ys))
    # FAQ ids and keys are per set: offset and prefix them so one threshold sees every query
    merged_keys: dict[int, str] = {}
    merged_items, merged_rank = [], []
    for n, s in enumerate(sets):
        offset = (n + 1) * 1_000_000
        for item, r in zip(s.items, ranked[s.name], strict=True):
            merged_items.append(HeldOut(item.question, tuple(f"{n}:{k}" for k in item.keys)))
            merged_rank.append([replace(x, faq_id=x.faq_id + offset) for x in r])
        merged_keys.update({f + offset: f"{n}:{k}" for f, k in s.evalset.key_of.items()})
    threshold, _utility, _counts = choose_threshold(
        merged_items, merged_rank, merged_keys, calibrator
    )
    report = {
        s.name: summarize(s.items, ranked[s.name], s.evalset.key_of, calibrator, threshold)
        for s in sets
    }
    return calibrator, threshold, report


def summarize(
    items: list[HeldOut],
    rankings: list[list[Scored]],
    key_of: dict[int, str],
    calibrator: Calibrator,
    threshold: float,
) -> dict:
    """top-1/top-3/MRR on in-scope queries and the answer decision on all queries."""
    m = metrics(items, rankings, key_of)
    utility, counts = decision_utility(items, rankings, key_of, threshold, calibrator)
    n = max(len(items), 1)
    answered = counts["right"] + counts["wrong"]
    x, y = candidate_features(items, rankings, key_of, depth=1)
    p = np.asarray([calibrator.probabilities_of(r)[0] for r in rankings if r])
    return {
        "n": len(items),
        "n_in_scope": m.n,
        "top1": round(m.top1, 4),
        "top3": round(m.top3, 4),
        "mrr": round(m.mrr, 4),
        "threshold": threshold,
        "answered": answered,
        "confident_but_wrong": counts["wrong"],
        "confident_but_wrong_rate": round(counts["wrong"] / n, 4),
        "right_answer_rate": round(counts["right"] / n, 4),
        "utility": utility,
        **counts,
        "reliability_top1": reliability(p, y) if len(p) == len(y) else [],
    }


FUSION_GRID = tuple(
    Fusion(1.0, lex, words)
    for lex in (0.0, 0.1, 0.2, 0.3, 0.5)
    for words in (0.0, 0.05, 0.1, 0.2, 0.3)
)


def choose_fusion(sets: list[Labelled], grid: tuple[Fusion, ...] = FUSION_GRID) -> Fusion:
    """The fusion with the best mean top-1 over the dev sets (then mean MRR)."""
    best: tuple[tuple[float, float], Fusion] | None = None
    for fusion in grid:
        ms = [metrics(s.items, s.evalset.rankings(s.items, fusion), s.evalset.key_of) for s in sets]
        key = (sum(m.top1 for m in ms) / len(ms), sum(m.mrr for m in ms) / len(ms))
        logger.info("fusion %s: mean top1 %.3f mrr %.3f", fusion, *key)
        if best is None or key > best[0]:
            best = (key, fusion)
    assert best is not None
    return best[1]


def calibrate(sets: list[Labelled], grid: tuple[Fusion, ...] = FUSION_GRID) -> dict:
    """Choose the fusion, fit the calibrator and the threshold on the dev sets.

    Returns the ``thresholds.json`` entry with the dev figures per set.
    """
    fusion = choose_fusion(sets, grid)
    calibrator, threshold, report = fit_all(sets, fusion)
    return {
        "dense_weight": fusion.dense_weight,
        "lexical_weight": fusion.lexical_weight,
        "bm25_weight": fusion.bm25_weight,
        "calibrator": calibrator.as_dict(),
        "answer_threshold": threshold,
        "dev": report,
    }


def real_set(embedder: Embedder, data: dict, part: str, name: str | None = None) -> Labelled:
    """A labelled set from the JSON ``bench/real_faq.py`` writes: ``{"faqs": [{"id",
    "question"}], "dev": [{"q", "faq_ids"}], "test": [...]}`` (no ids: out of scope)."""
    bank = [SeedFaq(str(f["id"]), "real", f["question"], (), "") for f in data["faqs"]]
    items = [HeldOut(q["q"], tuple(str(i) for i in q["faq_ids"])) for q in data[part]]
    return Labelled(name or f"{data.get('name', 'real')}_{part}", EvalSet(embedder, bank), items)


def authored_set(embedder: Embedder, part: str, evalset: EvalSet | None = None) -> Labelled:
    """The authored held-out phrasings over the seed FAQs (``calibration`` or ``test``)."""
    from knowledge.seed import load_heldout, load_seed

    return Labelled(
        f"authored_{part}", evalset or EvalSet(embedder, load_seed()), load_heldout(part)
    )
