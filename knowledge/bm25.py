"""Word-level lexical scorer: BM25 (the maintained ``bm25s`` library) over jieba tokens.

One BM25 document per phrasing; an FAQ scores as its best phrasing. Scores are divided by the
best score of the query, so they lie in [0, 1] per query (1 = the best lexical match).
"""

from __future__ import annotations

import logging
import re
import threading

import numpy as np

logger = logging.getLogger(__name__)

_PUNCT = re.compile(r"^[\s\W_]+$", re.UNICODE)
STOP_WORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 哦 噢 哈 请问 请 问问 问 我 你 您 我们 咱 咱们 是 在 有 要 想 "
    "一下 一个 这个 那个 怎么 怎样 如何 什么 哪里 哪儿 哪 吗 可以 能 能不能 可不可以 会 还 "
    "就 都 也 和 跟 与 及 或 给 把 被 让 啥 咋 呗 么".split()
)
"""Words that carry no topic: left out of BM25 (dense and character scores still see them)."""

_jieba_lock = threading.Lock()


def tokenize(text: str) -> list[str]:
    """jieba words of the (already normalised) text, lowercased, without punctuation/stop words."""
    import jieba

    with _jieba_lock:  # jieba initialises its dictionary lazily, once
        words = jieba.lcut(text.lower(), HMM=True)
    return [w for w in words if w.strip() and not _PUNCT.match(w) and w not in STOP_WORDS]


class Bm25Index:
    """BM25 over the phrasing rows; :meth:`scores` gives one value per row."""

    def __init__(self, texts: list[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        """Tokenise and index (blocking)."""
        import bm25s

        self.size = len(texts)
        corpus = [tokenize(t) or ["∅"] for t in texts]
        self._retriever = bm25s.BM25(k1=k1, b=b)
        if corpus:
            self._retriever.index(corpus, show_progress=False)
        self._vocab = set(self._retriever.vocab_dict) if corpus else set()

    def scores(self, text: str) -> np.ndarray:
        """BM25 of the query against every row, divided by the best (0 when nothing matches)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in tokenize(text) if t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        raw = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        top = float(raw.max()) if raw.size else 0.0
        return raw / top if top > 0 else np.zeros(self.size, dtype=np.float32)
