"""Immutable search snapshot: faiss dense index over phrasings, BM25 over jieba words per
phrasing and character n-gram TF-IDF per FAQ; the three are fused linearly for ranking."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import faiss
import numpy as np

from knowledge.bm25 import Bm25Index, tokenize
from knowledge.lexical import LexicalIndex

logger = logging.getLogger(__name__)

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


@dataclass(frozen=True)
class Entry:
    """What a hit needs to show: the FAQ's main question and answer."""

    faq_id: int
    question: str
    answer: str


@dataclass(frozen=True)
class Scored:
    """One FAQ's scores for a query."""

    faq_id: int
    score: float
    """Fused score: ``dense_weight * dense + lexical_weight * lexical + bm25_weight * bm25``
    (a ranking score, not a probability: see :mod:`knowledge.calibration`)."""
    dense: float
    """Best cosine between the query and one of the FAQ's phrasings."""
    lexical: float
    """Character n-gram TF-IDF cosine between the query and the FAQ's pooled phrasings."""
    bm25: float = 0.0
    """BM25 of the query's jieba words against the FAQ's best phrasing, ÷ the query's best."""
    overlap: float = 0.0
    """Best Jaccard overlap of content words (jieba, no stop words) with one of the FAQ's
    phrasings: low when a near miss differs in the word that matters (交 vs 取, 科目一 vs 四)."""


@dataclass(frozen=True)
class Fusion:
    """How the dense, character and word scores combine for ranking."""

    dense_weight: float = 1.0
    lexical_weight: float = 0.2
    bm25_weight: float = 0.0


def build_dense_index(vectors: np.ndarray, ann_min_vectors: int) -> faiss.Index:
    """Exact inner product up to ``ann_min_vectors`` rows, HNSW (inner product) above."""
    dim = vectors.shape[1]
    if vectors.shape[0] > ann_min_vectors:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if vectors.shape[0]:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


class Snapshot:
    """Everything one search needs, never mutated after construction (swap, don't edit)."""

    def __init__(
        self,
        entries: list[Entry],
        row_texts: list[str],
        row_faq: np.ndarray,
        vectors: np.ndarray,
        *,
        ann_min_vectors: int = 50_000,
        fusion: Fusion = Fusion(),
    ) -> None:
        """Build the indexes (blocking).

        Args:
            entries: the servable FAQs.
            row_texts: one normalised phrasing per row.
            row_faq: the FAQ id of each row.
            vectors: passage vectors of the rows, L2-normalised.
            ann_min_vectors: switch to HNSW above this many rows.
            fusion: score weights.
        """
        self.entries = {e.faq_id: e for e in entries}
        self.row_faq = np.asarray(row_faq, dtype=np.int64)
        self.size = len(row_texts)
        self.fusion = fusion
        self.dense = build_dense_index(vectors, ann_min_vectors) if self.size else None
        self.kind = type(self.dense).__name__ if self.dense is not None else "empty"
        grouped: dict[int, list[int]] = {}
        for row, faq_id in enumerate(self.row_faq.tolist()):
            grouped.setdefault(faq_id, []).append(row)
        self.faq_ids = np.asarray(list(grouped), dtype=np.int64)
        self.faq_rows = {f: np.asarray(rows, dtype=np.int64) for f, rows in grouped.items()}
        self.faq_position = {f: i for i, f in enumerate(grouped)}
        self.lexical = (
            LexicalIndex([[row_texts[r] for r in rows] for rows in grouped.values()])
            if self.size
            else None
        )
        self.row_position = np.asarray(
            [self.faq_position[f] for f in self.row_faq.tolist()], dtype=np.int64
        )
        self.bm25 = Bm25Index(list(row_texts)) if self.size and fusion.bm25_weight else None
        self._row_texts = list(row_texts)
        self._row_words: dict[int, frozenset[str]] = {}

    def _words(self, row: int) -> frozenset[str]:
        words = self._row_words.get(row)
        if words is None:  # tokenised lazily: only rows of candidate FAQs are ever needed
            words = frozenset(tokenize(self._row_texts[row]))
            self._row_words[row] = words
        return words

    def overlap(self, query_words: frozenset[str], faq_id: int) -> float:
        """Best Jaccard overlap of the query's content words with one of the FAQ's phrasings."""
        if not query_words:
            return 0.0
        best = 0.0
        for row in self.faq_rows[faq_id].tolist():
            words = self._words(row)
            union = len(query_words | words)
            if union:
                best = max(best, len(query_words & words) / union)
        return best

    @classmethod
    def empty(cls) -> Snapshot:
        """A snapshot that finds nothing (before the first build)."""
        return cls([], [], np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32))

    def search(self, query_vec: np.ndarray, query_text: str, k: int = 5) -> list[Scored]:
        """Top ``k`` FAQs by fused score (dense: each FAQ scored by its best phrasing)."""
        if self.dense is None or self.lexical is None or self.size == 0:
            return []
        q = np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32)
        fetch_rows = min(self.size, max(50, k * 10))
        dense_scores, dense_rows = self.dense.search(q, fetch_rows)
        dense_of: dict[int, float] = {}
        for row, score in zip(dense_rows[0].tolist(), dense_scores[0].tolist(), strict=True):
            if row < 0:
                continue
            faq_id = int(self.row_faq[row])
            if score > dense_of.get(faq_id, -2.0):
                dense_of[faq_id] = score
        w_d, w_l, w_b = (
            self.fusion.dense_weight,
            self.fusion.lexical_weight,
            self.fusion.bm25_weight,
        )
        n_faq = len(self.faq_ids)
        lexical = self.lexical.scores(query_text) if w_l else np.zeros(n_faq, dtype=np.float32)
        words = np.zeros(n_faq, dtype=np.float32)
        if w_b and self.bm25 is not None:
            np.maximum.at(words, self.row_position, self.bm25.scores(query_text))
        fetch_faqs = min(n_faq, max(20, k * 4))
        for signal, weight in ((lexical, w_l), (words, w_b)):
            if not weight:
                continue
            top = (
                np.argpartition(-signal, fetch_faqs - 1)[:fetch_faqs]
                if fetch_faqs < n_faq
                else np.arange(n_faq)
            )
            for i in top.tolist():
                faq_id = int(self.faq_ids[i])
                if faq_id not in dense_of and signal[i] > 0:
                    vecs = self.dense.reconstruct_batch(self.faq_rows[faq_id])
                    dense_of[faq_id] = float(np.max(vecs @ q[0]))
        position = self.faq_position
        ranked = sorted(
            (
                Scored(
                    f,
                    w_d * d + w_l * float(lexical[position[f]]) + w_b * float(words[position[f]]),
                    d,
                    float(lexical[position[f]]),
                    float(words[position[f]]),
                )
                for f, d in dense_of.items()
            ),
            key=lambda s: s.score,
            reverse=True,
        )[:k]
        query_words = frozenset(tokenize(query_text))
        return [replace(s, overlap=self.overlap(query_words, s.faq_id)) for s in ranked]
