"""Immutable search snapshot: faiss dense index over phrasings + lexical index over FAQs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import faiss
import numpy as np

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
    """Fused score: ``dense_weight * dense + lexical_weight * lexical``."""
    dense: float
    """Best cosine between the query and one of the FAQ's phrasings."""
    lexical: float
    """Character n-gram TF-IDF cosine between the query and the FAQ's pooled phrasings."""


@dataclass(frozen=True)
class Fusion:
    """How dense and lexical scores combine."""

    dense_weight: float = 1.0
    lexical_weight: float = 0.2


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
        w_d, w_l = self.fusion.dense_weight, self.fusion.lexical_weight
        lexical = self.lexical.scores(query_text) if w_l else np.zeros(len(self.faq_ids))
        if w_l:
            n_faq = len(self.faq_ids)
            fetch_faqs = min(n_faq, max(20, k * 4))
            top = (
                np.argpartition(-lexical, fetch_faqs - 1)[:fetch_faqs]
                if fetch_faqs < n_faq
                else np.arange(n_faq)
            )
            for i in top.tolist():
                faq_id = int(self.faq_ids[i])
                if faq_id not in dense_of and lexical[i] > 0:
                    vecs = self.dense.reconstruct_batch(self.faq_rows[faq_id])
                    dense_of[faq_id] = float(np.max(vecs @ q[0]))
        position = self.faq_position
        ranked = sorted(
            (
                Scored(
                    f, w_d * d + w_l * float(lexical[position[f]]), d, float(lexical[position[f]])
                )
                for f, d in dense_of.items()
            ),
            key=lambda s: s.score,
            reverse=True,
        )
        return ranked[:k]
