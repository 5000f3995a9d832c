"""Lexical scorer: character n-gram TF-IDF cosine (robust to missing word boundaries in Chinese)."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
NGRAMS = (1, 2, 3)
STOP_CHARS = frozenset("的了吗呢吧啊呀么嘛哦请问我你您是在有要")
"""Function characters that match everywhere; dropped from unigrams only."""


def char_ngrams(text: str, ns: tuple[int, ...] = NGRAMS) -> list[str]:
    """Character n-grams of the text with punctuation and spaces removed."""
    text = _PUNCT.sub("", text.lower())
    grams: list[str] = []
    for n in ns:
        for i in range(len(text) - n + 1):
            gram = text[i : i + n]
            if n == 1 and gram in STOP_CHARS:
                continue
            grams.append(gram)
    return grams


class LexicalIndex:
    """TF-IDF over character n-grams, one document per FAQ (all its phrasings); cosine scores."""

    def __init__(self, texts: list[str] | list[list[str]]) -> None:
        """Build the index (blocking).

        Args:
            texts: one document per entry: a string, or a list of phrasings whose n-grams are
                pooled (n-grams never span two phrasings).
        """
        docs = []
        for doc in texts:
            counts: Counter[str] = Counter()
            for part in [doc] if isinstance(doc, str) else doc:
                counts.update(char_ngrams(part))
            docs.append(counts)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        self._vocab = {gram: i for i, gram in enumerate(df)}
        n = max(len(texts), 1)
        self._idf = np.array(
            [math.log((1 + n) / (1 + df[g])) + 1.0 for g in self._vocab], dtype=np.float32
        )
        rows, cols, vals = [], [], []
        for r, doc in enumerate(docs):
            for gram, tf in doc.items():
                rows.append(r)
                cols.append(self._vocab[gram])
                vals.append((1.0 + math.log(tf)) * self._idf[self._vocab[gram]])
        matrix = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(texts), max(len(self._vocab), 1)),
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self._matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)
        self._matrix_t = self._matrix.T.tocsr()
        self.size = len(texts)

    def _query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(g for g in char_ngrams(text) if g in self._vocab)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.array([self._vocab[g] for g in counts], dtype=np.int64)
        val = np.array(
            [(1.0 + math.log(c)) * self._idf[self._vocab[g]] for g, c in counts.items()],
            dtype=np.float32,
        )
        return idx, val / float(np.linalg.norm(val))

    def scores(self, text: str) -> np.ndarray:
        """Cosine of the query against every row, shape ``(size,)``."""
        idx, val = self._query_vector(text)
        if idx.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        sub = self._matrix_t[idx]  # (q_terms, rows)
        return np.asarray(sub.T @ val, dtype=np.float32).ravel()
